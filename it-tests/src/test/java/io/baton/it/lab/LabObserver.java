package io.baton.it.lab;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The test side of {@link ObserverMain}: starts it in the client's namespace, reads its lines as they
 * come and keeps the latest view (probe ports, HAProxy's server states, who answers HTTP, the group)
 * plus every line with its time, so that tests can wait on conditions and look back at what changed.
 */
final class LabObserver implements AutoCloseable {
    /**
     * How often both probe ports are polled. Not faster: the probe listener's accept backlog is 1, so
     * a poller much faster than the load balancer's checks fills the queue whenever the node's JVM is
     * descheduled for a few tens of ms, and HAProxy's check SYN is then dropped (a false "Layer4
     * timeout", seen in the lab at 10 ms).
     */
    static final int PROBE_EVERY_MS = 20;

    /** One observer line: its monotonic time in ms, kind and key=value fields. */
    record Line(double t, String kind, Map<String, String> fields, String raw) {
        String get(String k) {
            return fields.getOrDefault(k, "");
        }
    }

    record Group(String owner, long epoch, String phase) {
        boolean onlineOn(String node) {
            return owner.equals(node) && phase.equals("online");
        }
    }

    /**
     * The group's recovery state from the admin API ({@code policy} lines, monitor scenarios only):
     * maintenance, held, degraded, the members it failed on and its warnings' kinds.
     */
    record Policy(boolean maintenance, boolean held, boolean degraded, List<String> failedOn, List<String> warnings) {
        static final Policy UNKNOWN = new Policy(false, false, false, List.of(), List.of());

        static Policy of(Line l) {
            return new Policy(Boolean.parseBoolean(l.get("maintenance")), Boolean.parseBoolean(l.get("held")),
                    Boolean.parseBoolean(l.get("degraded")), list(l.get("failed_on")), list(l.get("warnings")));
        }

        private static List<String> list(String v) {
            return v.isEmpty() || v.equals("-") ? List.of() : List.of(v.split(","));
        }
    }

    /**
     * A cluster event as the observer saw it ({@code event} lines, monitor scenarios only): {@code t} is
     * when the observer got it (it asks every 100 ms), {@code wallMs} the wall time the event carries
     * (the proposer's clock when it submitted the command, this machine's clock in the lab).
     */
    record Event(double t, long seq, String kind, String node, long epoch, long wallMs, String message) {
        static Event of(Line l) {
            return new Event(l.t(), Long.parseLong(l.get("seq")), l.get("kind"), l.get("node"),
                    Long.parseLong(l.get("epoch")), Long.parseLong(l.get("wall_ms")), l.get("msg").replace('_', ' '));
        }

        @Override
        public String toString() {
            return kind + "@" + node + "(epoch " + epoch + ", seq " + seq + "): " + message;
        }
    }

    private final Process process;
    private final Thread reader;
    private final List<Line> lines = new ArrayList<>();
    private final Path log;
    private volatile Map<String, Boolean> probes = Map.of();
    private volatile Map<String, String> haproxy = Map.of();
    private volatile String httpServer;
    private volatile Group group = new Group("?", -1, "?");
    private volatile Map<String, String> nodes = Map.of();
    private volatile String leader = "?";
    private volatile Map<String, String> raft = Map.of();
    private volatile Map<String, String> mirror = Map.of();
    private volatile Policy policy = Policy.UNKNOWN;
    private final List<Event> events = new ArrayList<>();
    private volatile Line summary;
    private volatile boolean ended;

    private LabObserver(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::readLoop, "lab-observer-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static LabObserver start(Lab lab, Path dir, Path haproxySocket, long maxMillis) throws IOException {
        return start(lab, dir, haproxySocket, maxMillis, false);
    }

    /** With {@code monitorView}, the observer also reports the group's policy state and the cluster's events. */
    static LabObserver start(Lab lab, Path dir, Path haproxySocket, long maxMillis, boolean monitorView) throws IOException {
        // The observer is the measuring instrument: it runs at a higher priority (nice -10) than the
        // nodes, so that its 10 ms polling holds on a loaded 2-core machine.
        List<String> java = new ArrayList<>(List.of("nice", "-n", "-10",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms16m", "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dbaton.log.level=ERROR",
                "-cp", System.getProperty("java.class.path"), ObserverMain.class.getName(),
                "--probe", "server1=" + Lab.Host.SERVER1.ip() + ":" + LabEnv.PROBE_PORT,
                "--probe", "server2=" + Lab.Host.SERVER2.ip() + ":" + LabEnv.PROBE_PORT,
                "--probe", "server3=" + Lab.Host.SERVER3.ip() + ":" + LabEnv.PROBE_PORT,
                "--probe-every-ms", Integer.toString(PROBE_EVERY_MS), "--probe-timeout-ms", "50",
                "--haproxy-socket", haproxySocket.toString(), "--backend", "web",
                "--http", Lab.Host.CLIENT.ip() + ":80",
                "--admin", LabEnv.ADMIN_ENDPOINTS,
                "--max-ms", Long.toString(maxMillis)));
        if (monitorView) {
            java.addAll(List.of("--monitor-view", "true"));
        }
        if (Files.exists(dir.resolve("tls").resolve("ca.crt"))) {
            java.addAll(List.of("--tls-dir", dir.resolve("tls").toString()));
        }
        Path log = dir.resolve("observer.log");
        Process p = Sh.builder(lab.cmd(Lab.Host.CLIENT, java)).redirectErrorStream(true).start();
        LabObserver o = new LabObserver(p, log);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> o.probes.size() == SERVERS.size() || !p.isAlive());
        if (!p.isAlive()) {
            throw new IllegalStateException("the observer did not start; see " + log);
        }
        return o;
    }

    private void readLoop() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            String raw;
            while ((raw = r.readLine()) != null) {
                w.println(raw);
                if (!raw.startsWith("@obs ")) {
                    continue;
                }
                Line line = parse(raw);
                if (line != null) {
                    apply(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended; close() reports what it saw
        } finally {
            ended = true;
        }
    }

    private static Line parse(String raw) {
        String[] parts = raw.split(" ");
        if (parts.length < 3) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 3; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            } else {
                fields.put(parts[i], "");
            }
        }
        return new Line(Double.parseDouble(parts[1]), parts[2], fields, raw);
    }

    private void apply(Line l) {
        synchronized (lines) {
            lines.add(l);
        }
        switch (l.kind()) {
            case "probe" -> {
                Map<String, Boolean> m = new LinkedHashMap<>();
                l.fields().forEach((k, v) -> {
                    if (!k.equals("round")) {
                        m.put(k, v.equals("open"));
                    }
                });
                probes = m;
            }
            case "haproxy" -> haproxy = Map.copyOf(l.fields());
            case "http" -> httpServer = l.fields().containsKey("ok") ? l.get("server") : null;
            case "group" -> {
                String e = l.get("epoch");
                group = new Group(l.get("owner"), e.matches("\\d+") ? Long.parseLong(e) : -1, l.get("phase"));
            }
            case "nodes" -> nodes = Map.copyOf(l.fields());
            case "leader" -> leader = l.fields().keySet().stream().findFirst().orElse("?");
            case "raft" -> raft = Map.copyOf(l.fields());
            case "policy" -> policy = Policy.of(l);
            case "mirror" -> mirror = Map.copyOf(l.fields());
            case "event" -> {
                Event e = Event.of(l);
                synchronized (events) {
                    events.add(e);
                }
            }
            case "summary" -> summary = l;
            default -> { }
        }
    }

    // ---- the latest view ----

    boolean probeOpen(String server) {
        return probes.getOrDefault(server, false);
    }

    /** HAProxy's state of the server: UP, DOWN, UP_1/2 (going down), DOWN_1/2 (going up), ... */
    String haproxy(String server) {
        return haproxy.getOrDefault(server, "?");
    }

    /** Whether HAProxy fully considers the server UP (not in transition). */
    boolean haproxyUp(String server) {
        return haproxy(server).equals("UP");
    }

    boolean haproxyDown(String server) {
        return haproxy(server).equals("DOWN");
    }

    /** Whether HAProxy sends traffic to the server: UP, or UP_1/2 (a check failed, not yet fall of them). */
    static boolean inService(String haproxyState) {
        return haproxyState.startsWith("UP");
    }

    /** The server that answered the latest successful GET, or null while requests fail. */
    String httpServer() {
        return httpServer;
    }

    Group group() {
        return group;
    }

    /** The group's latest policy state (monitor scenarios only; {@link Policy#UNKNOWN} before the first). */
    Policy policy() {
        return policy;
    }

    /** Every event seen so far, in order. */
    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The events of {@code kind} (any node when {@code node} is null) whose wall time is at or after {@code sinceWallMs}. */
    List<Event> events(String kind, String node, long sinceWallMs) {
        return events().stream().filter(e -> e.kind().equals(kind) && (node == null || e.node().equals(node))
                && e.wallMs() >= sinceWallMs).toList();
    }

    /** The first event of {@code kind} on {@code node} (any node when null) at or after {@code sinceWallMs}, if any. */
    java.util.Optional<Event> firstEvent(String kind, String node, long sinceWallMs) {
        return events(kind, node, sinceWallMs).stream().findFirst();
    }

    boolean nodeUp(String id) {
        return "up".equals(nodes.get(id));
    }

    /**
     * Whether the Raft leader, as batonctl status reports it, has lately heard every voter, so that the
     * cluster survives the loss of one more node.
     */
    boolean raftInContactWithAll() {
        return "-".equals(raft.get("missing")) && "1".equals(raft.get("tolerates"));
    }

    /** The latest Raft contact line's fields (leader, in_contact, tolerates, missing), empty if none yet. */
    Map<String, String> raft() {
        return raft;
    }

    /**
     * Whether the mirror disk's two replicas are UpToDate and the owner's link to its peer is in sync
     * (no resync under way): a fault that needs the standby's replica can take over from here.
     */
    boolean mirrorInSync() {
        Map<String, String> m = mirror;
        return "up_to_date".equals(m.get("server1")) && "up_to_date".equals(m.get("server2"))
                && "true".equals(m.get("in_sync"));
    }

    /** Whether {@code node}'s replica of the mirror disk is UpToDate in the committed state. */
    boolean replicaUpToDate(String node) {
        return "up_to_date".equals(mirror.get(node));
    }

    /** The latest mirror line's fields, empty without a mirror disk. */
    Map<String, String> mirror() {
        return mirror;
    }

    boolean allNodesUp() {
        return nodes.size() == 3 && nodes.values().stream().allMatch("up"::equals);
    }

    String leader() {
        return leader;
    }

    /**
     * Exactly one active node as every layer sees it: the group online on {@code owner}, only its probe
     * port open, HAProxy sending to it only, and the client's pages coming from it.
     */
    boolean servingFrom(String owner) {
        return group.onlineOn(owner) && probeOpen(owner) && haproxyUp(owner) && owner.equals(httpServer)
                && SERVERS.stream().filter(s -> !s.equals(owner)).allMatch(s -> !probeOpen(s) && haproxyDown(s));
    }

    /** The servers the observer probes and HAProxy balances over (server3 is up only when a test adds it). */
    static final List<String> SERVERS = List.of("server1", "server2", "server3");

    /**
     * Like {@link #servingFrom} but lenient about HAProxy's transitions: the owner may have failed a
     * check or two short of {@code fall} (still in service), the other may have passed some short of
     * {@code rise} (still out of service); and the latest request may have failed (a CPU hiccup on a
     * small machine), but no page may come from the other.
     */
    boolean stillServingFrom(String owner) {
        String http = httpServer;
        return group.onlineOn(owner) && probeOpen(owner) && inService(haproxy(owner)) && (http == null || owner.equals(http))
                && SERVERS.stream().filter(s -> !s.equals(owner)).allMatch(s -> !probeOpen(s) && !inService(haproxy(s)));
    }

    /** A one-line description of the view, for failure messages. */
    String describe() {
        return "group=" + group + " probes=" + probes + " haproxy=" + haproxy + " http=" + httpServer + " nodes=" + nodes
                + " leader=" + leader;
    }

    // ---- history ----

    List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    List<Line> since(double t, Set<String> kinds) {
        return lines().stream().filter(l -> l.t() >= t && kinds.contains(l.kind())).toList();
    }

    List<Line> violationLines() {
        return lines().stream().filter(l -> l.kind().equals("S1") || l.kind().equals("error")).toList();
    }

    /** The first time at or after {@code t} that the client got a page from {@code server}, or NaN. */
    double firstPageFrom(String server, double t) {
        return lines().stream().filter(l -> l.t() >= t && l.kind().equals("http") && l.fields().containsKey("ok")
                && l.get("server").equals(server)).mapToDouble(Line::t).findFirst().orElse(Double.NaN);
    }

    /**
     * The end of the first gap that begins at or after {@code t}: the time of the first successful GET
     * after the first failed one, and the server that answered; NaN and null while the gap lasts or if
     * none began.
     */
    double firstPageAfterGap(double t) {
        boolean failed = false;
        for (Line l : lines()) {
            if (l.t() < t || !l.kind().equals("http")) {
                continue;
            }
            if (l.fields().containsKey("fail")) {
                failed = true;
            } else if (failed && l.fields().containsKey("ok")) {
                return l.t();
            }
        }
        return Double.NaN;
    }

    /** Whether a page came from {@code server} at or after {@code t}. */
    boolean anyPageFrom(String server, double t) {
        return !Double.isNaN(firstPageFrom(server, t));
    }

    /** The first time at or after {@code t} that {@code server}'s probe port was seen open, or NaN. */
    double firstProbeOpen(String server, double t) {
        return lines().stream().filter(l -> l.t() >= t && l.kind().equals("probe") && l.get(server).equals("open"))
                .mapToDouble(Line::t).findFirst().orElse(Double.NaN);
    }

    /**
     * The client-visible outage around {@code [from, to]}: the longest time without a successful GET, over
     * the gaps that overlap the window (a gap still open at {@code to} counts up to {@code to}). 0 when no
     * request failed.
     */
    double outageMs(double from, double to) {
        double worst = 0;
        double gapStart = Double.NaN;
        for (Line l : lines()) {
            if (!l.kind().equals("http")) {
                continue;
            }
            if (l.fields().containsKey("fail")) {
                double lastOk = Double.parseDouble(l.get("last_ok"));
                gapStart = lastOk < 0 ? l.t() : lastOk;
            } else if (l.fields().containsKey("ok") && !Double.isNaN(gapStart)) {
                if (l.t() >= from && gapStart <= to) {
                    worst = Math.max(worst, l.t() - gapStart);
                }
                gapStart = Double.NaN;
            }
        }
        if (!Double.isNaN(gapStart) && gapStart <= to) {
            worst = Math.max(worst, to - gapStart);
        }
        return worst;
    }

    static double now() {
        return System.nanoTime() / 1e6;
    }

    /** Stops the observer and waits for its summary line (bounded). */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                OutputStream in = process.getOutputStream();
                in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
                in.close();
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Line summary() {
        return summary;
    }

    boolean ended() {
        return ended;
    }
}
