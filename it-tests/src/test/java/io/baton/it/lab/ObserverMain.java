package io.baton.it.lab;

import io.baton.proto.Event;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.RaftFollower;
import io.baton.proto.admin.RaftHealth;
import io.baton.proto.admin.StatusRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lab's observer, run as its own process inside the client's namespace (the test JVM stays in the
 * root namespace, which has no route to the lab). It watches, until told to stop (a line "stop" or the
 * end of stdin) or until {@code --max-ms}:
 * <ul>
 *   <li>both probe ports: a TCP connect to each is launched every {@code --probe-every-ms} (10 ms),
 *       both in the same instant, each with a {@code --probe-timeout-ms} (50 ms) deadline; rounds
 *       overlap, so a host that drops packets does not slow the polling. A round in which both
 *       connects succeeded is an S1 violation, printed at once;</li>
 *   <li>HAProxy's backend server states, from its stats socket ({@code show stat}) every 20 ms;</li>
 *   <li>a client: an HTTP GET through HAProxy every 20 ms, noting which server answered, and the
 *       gaps without a successful answer;</li>
 *   <li>the group's owner, epoch and phase and the nodes' liveness from the admin API (one node every
 *       100 ms in turn; the freshest answers' highest epoch, the leader's own answer first);</li>
 *   <li>with {@code --monitor-view true} (the monitor scenarios): the group's maintenance, hold,
 *       failed_on and warnings from the same answers ({@code policy} lines), and the cluster's events
 *       as they are committed ({@code event} lines: the admin API's event list, asked every 100 ms for
 *       what is newer than the last one seen).</li>
 * </ul>
 * Output: one line per change, {@code @obs <monotonic ms> <kind> <fields>}, where the time is
 * {@link System#nanoTime()} in ms (CLOCK_MONOTONIC, the same clock as the test JVM's), a {@code tick}
 * line every second, and a {@code summary} line at the end.
 */
public final class ObserverMain {
    private final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
            StandardCharsets.UTF_8);
    private final long deadline;
    private volatile boolean stop;

    // probe
    private final List<String> probeNames = new ArrayList<>();
    private final List<InetSocketAddress> probeAddrs = new ArrayList<>();
    private final int probeEveryMs;
    private final int probeTimeoutMs;
    private final AtomicLong probeRounds = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private volatile double maxLaunchGapMs;
    /** Rounds launched more than 2 intervals after the previous one (the machine held the observer up). */
    private final AtomicLong lateRounds = new AtomicLong();

    // haproxy
    private final Path haproxySocket;
    private final String backend;
    private final AtomicLong haproxyPolls = new AtomicLong();

    // http
    private final InetSocketAddress http;
    private final AtomicLong httpOk = new AtomicLong();
    private final AtomicLong httpFail = new AtomicLong();
    private volatile double httpMaxGapMs;

    // status
    private final List<String> admins;
    /** The admin port's credentials: the lab operator's certificate with TLS, else plaintext. */
    private final ChannelCredentials adminCredentials;
    private final AtomicLong statusPolls = new AtomicLong();
    private final boolean monitorView;
    private final AtomicLong eventPolls = new AtomicLong();

    private ObserverMain(Map<String, List<String>> opts) {
        for (String p : opts.getOrDefault("probe", List.of())) {
            String[] nv = p.split("=", 2);
            probeNames.add(nv[0]);
            probeAddrs.add(addr(nv[1]));
        }
        probeEveryMs = Integer.parseInt(one(opts, "probe-every-ms", "10"));
        probeTimeoutMs = Integer.parseInt(one(opts, "probe-timeout-ms", "50"));
        haproxySocket = opts.containsKey("haproxy-socket") ? Path.of(one(opts, "haproxy-socket", "")) : null;
        backend = one(opts, "backend", "web");
        http = opts.containsKey("http") ? addr(one(opts, "http", "")) : null;
        admins = opts.containsKey("admin") ? List.of(one(opts, "admin", "").split(",")) : List.of();
        adminCredentials = opts.containsKey("tls-dir") ? tls(Path.of(one(opts, "tls-dir", ""))) : InsecureChannelCredentials.create();
        monitorView = Boolean.parseBoolean(one(opts, "monitor-view", "false"));
        deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(one(opts, "max-ms", "600000")));
    }

    private static String one(Map<String, List<String>> opts, String k, String dflt) {
        List<String> v = opts.get(k);
        return v == null || v.isEmpty() ? dflt : v.get(v.size() - 1);
    }

    private static ChannelCredentials tls(Path dir) {
        try {
            io.baton.node.security.NodeCredentials c = io.baton.node.security.NodeCredentials.loadAnyIdentity(
                    new io.baton.node.config.TlsConfig.Files(dir.resolve("ca.crt"), dir.resolve(LabEnv.ADMIN_CERT + ".crt"),
                            dir.resolve(LabEnv.ADMIN_CERT + ".key")), java.time.Instant.now());
            return TlsChannelCredentials.newBuilder().keyManager(io.baton.node.security.KeyStores.keyManagers(c.own()))
                    .trustManager(io.baton.node.security.KeyStores.trustManagers(c.trusted())).build();
        } catch (io.baton.node.security.CertificateException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static InetSocketAddress addr(String hostPort) {
        int i = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.computeIfAbsent(args[i].replaceFirst("^--", ""), k -> new ArrayList<>()).add(args[i + 1]);
        }
        new ObserverMain(opts).run();
        System.exit(0);
    }

    private static double now() {
        return System.nanoTime() / 1e6;
    }

    private boolean running() {
        return !stop && System.nanoTime() < deadline;
    }

    synchronized void emit(String kind, String fields) {
        out.printf(Locale.ROOT, "@obs %.3f %s %s%n", now(), kind, fields);
        out.flush();
    }

    private void run() throws Exception {
        List<Thread> threads = new ArrayList<>();
        threads.add(thread("obs-probe", this::probeLoop));
        if (haproxySocket != null) {
            threads.add(thread("obs-haproxy", this::haproxyLoop));
        }
        if (http != null) {
            threads.add(thread("obs-http", this::httpLoop));
        }
        if (!admins.isEmpty()) {
            threads.add(thread("obs-status", this::statusLoop));
            if (monitorView) {
                threads.add(thread("obs-events", this::eventsLoop));
            }
        }
        Thread stdin = thread("obs-stdin", () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.trim().equals("stop")) {
                        break;
                    }
                }
            } catch (IOException ignored) {
                // treated as the end of input
            }
            stop = true;
        });
        stdin.setDaemon(true);
        threads.forEach(Thread::start);
        stdin.start();
        emit("start", "probes=" + probeNames + " probe_every_ms=" + probeEveryMs + " probe_timeout_ms=" + probeTimeoutMs);
        long lastTick = System.nanoTime();
        while (running()) {
            Thread.sleep(50);
            if (System.nanoTime() - lastTick >= TimeUnit.SECONDS.toNanos(1)) {
                lastTick = System.nanoTime();
                emit("tick", stats());
            }
        }
        stop = true;
        for (Thread t : threads) {
            t.join(3000);
        }
        emit("summary", stats());
        emit("end", "");
    }

    private String stats() {
        return String.format(Locale.ROOT,
                "probe_rounds=%d late_rounds=%d max_launch_gap_ms=%.1f s1_violations=%d haproxy_polls=%d http_ok=%d http_fail=%d"
                        + " http_max_gap_ms=%.1f status_polls=%d",
                probeRounds.get(), lateRounds.get(), maxLaunchGapMs, violations.get(), haproxyPolls.get(), httpOk.get(), httpFail.get(),
                httpMaxGapMs, statusPolls.get()) + (monitorView ? " event_polls=" + eventPolls.get() : "");
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                emit("error", name + " " + e.toString().replace('\n', ' '));
            }
        }, name);
        return t;
    }

    // ---- probe ports ----

    private record Attempt(long round, int index, long startNanos, SocketChannel channel) {}

    private final class Round {
        final long n;
        final Boolean[] open = new Boolean[probeNames.size()];
        int done;

        Round(long n) {
            this.n = n;
        }
    }

    private void probeLoop() {
        int k = probeNames.size();
        Map<Long, Round> pending = new TreeMap<>();
        List<Attempt> inFlight = new ArrayList<>();
        long[] latestRound = new long[k];
        Boolean[] state = new Boolean[k];
        long interval = TimeUnit.MILLISECONDS.toNanos(probeEveryMs);
        long timeout = TimeUnit.MILLISECONDS.toNanos(probeTimeoutMs);
        long round = 0;
        long next = System.nanoTime();
        long lastLaunch = 0;
        try (Selector sel = Selector.open()) {
            while (running()) {
                long t = System.nanoTime();
                if (t >= next) {
                    if (lastLaunch != 0) {
                        double gap = (t - lastLaunch) / 1e6;
                        if (gap > maxLaunchGapMs) {
                            maxLaunchGapMs = gap;
                        }
                        if (gap > 2 * probeEveryMs) {
                            lateRounds.incrementAndGet();
                        }
                    }
                    lastLaunch = t;
                    round++;
                    Round r = new Round(round);
                    pending.put(round, r);
                    for (int i = 0; i < k; i++) {
                        SocketChannel ch = null;
                        try {
                            ch = SocketChannel.open();
                            ch.configureBlocking(false);
                            if (ch.connect(probeAddrs.get(i))) {
                                ch.close();
                                result(r, i, true, pending, latestRound, state);
                            } else {
                                Attempt a = new Attempt(round, i, t, ch);
                                ch.register(sel, SelectionKey.OP_CONNECT, a);
                                inFlight.add(a);
                            }
                        } catch (IOException e) {
                            closeQuietly(ch);
                            result(r, i, false, pending, latestRound, state);
                        }
                    }
                    next += interval;
                    if (next < t) {
                        next = t + interval;
                    }
                }
                long wait = next - System.nanoTime();
                for (Attempt a : inFlight) {
                    wait = Math.min(wait, a.startNanos + timeout - System.nanoTime());
                }
                if (wait > 0) {
                    sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                } else {
                    sel.selectNow();
                }
                Iterator<SelectionKey> it = sel.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Attempt a = (Attempt) key.attachment();
                    boolean open;
                    try {
                        open = a.channel.finishConnect();
                    } catch (IOException e) {
                        open = false;
                    }
                    key.cancel();
                    closeQuietly(a.channel);
                    inFlight.remove(a);
                    result(pending.get(a.round), a.index, open, pending, latestRound, state);
                }
                long t2 = System.nanoTime();
                for (Iterator<Attempt> ai = inFlight.iterator(); ai.hasNext(); ) {
                    Attempt a = ai.next();
                    if (t2 - a.startNanos >= timeout) {
                        ai.remove();
                        SelectionKey key = a.channel.keyFor(sel);
                        if (key != null) {
                            key.cancel();
                        }
                        closeQuietly(a.channel);
                        result(pending.get(a.round), a.index, false, pending, latestRound, state);
                    }
                }
            }
            for (Attempt a : inFlight) {
                closeQuietly(a.channel);
            }
        } catch (IOException e) {
            emit("error", "probe selector " + e);
        }
    }

    private void result(Round r, int i, boolean open, Map<Long, Round> pending, long[] latestRound, Boolean[] state) {
        if (r == null) {
            return;
        }
        r.open[i] = open;
        r.done++;
        if (r.done < r.open.length) {
            return;
        }
        pending.remove(r.n);
        probeRounds.incrementAndGet();
        // S1: at most one probe port open in a round (with a third server, a replacement, two of three count).
        List<String> openNames = new ArrayList<>();
        for (int j = 0; j < r.open.length; j++) {
            if (r.open[j]) {
                openNames.add(probeNames.get(j));
            }
        }
        if (openNames.size() > 1) {
            violations.incrementAndGet();
            emit("S1", "violation round=" + r.n + " open=" + String.join(",", openNames));
        }
        boolean changed = false;
        for (int j = 0; j < r.open.length; j++) {
            if (r.n > latestRound[j]) {
                latestRound[j] = r.n;
                if (state[j] == null || state[j] != r.open[j]) {
                    state[j] = r.open[j];
                    changed = true;
                }
            }
        }
        if (changed) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < state.length; j++) {
                b.append(j == 0 ? "" : " ").append(probeNames.get(j)).append('=')
                        .append(state[j] == null ? "?" : state[j] ? "open" : "closed");
            }
            emit("probe", b + " round=" + r.n);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing to do
            }
        }
    }

    // ---- haproxy ----

    private void haproxyLoop() {
        String last = null;
        while (running()) {
            String view;
            try {
                view = haproxyStates();
            } catch (IOException e) {
                view = "unavailable";
            }
            haproxyPolls.incrementAndGet();
            if (!view.equals(last)) {
                emit("haproxy", view);
                last = view;
            }
            sleep(20);
        }
    }

    /** "server1=UP server2=DOWN" from {@code show stat}: field 1 svname, field 17 status. */
    private String haproxyStates() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(haproxySocket));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (ch.read(buf) >= 0 && buf.hasRemaining() && System.nanoTime() < until) {
                // haproxy closes the connection after answering one command
            }
            buf.flip();
            String csv = StandardCharsets.UTF_8.decode(buf).toString();
            Map<String, String> states = new TreeMap<>();
            for (String line : csv.split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length > 17 && f[0].equals(backend) && !f[1].equals("BACKEND") && !f[1].equals("FRONTEND")) {
                    states.put(f[1], f[17].replace(' ', '_'));
                }
            }
            if (states.isEmpty()) {
                return "unavailable";
            }
            StringBuilder b = new StringBuilder();
            states.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
            return b.toString();
        }
    }

    // ---- http client ----

    private void httpLoop() {
        double lastOk = -1;
        String streak = null; // the server of the current run of successes; null after a failure
        boolean failing = false;
        while (running()) {
            double began = now();
            String server = null;
            String reason;
            try (Socket s = new Socket()) {
                s.connect(http, 200);
                s.setSoTimeout(300);
                OutputStream o = s.getOutputStream();
                o.write("GET / HTTP/1.0\r\nHost: lab\r\nUser-Agent: baton-lab-observer\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                String resp = readAll(s.getInputStream(), 8192);
                if (resp.isEmpty()) {
                    reason = "closed-without-answer";
                } else if (!resp.startsWith("HTTP/1.1 200") && !resp.startsWith("HTTP/1.0 200")) {
                    int eol = resp.indexOf('\r');
                    reason = "status:" + (eol > 0 ? resp.substring(0, eol) : resp).replace(' ', '_');
                } else {
                    int i = resp.indexOf("server=");
                    if (i < 0) {
                        reason = "no-server-in-body";
                    } else {
                        int j = i + 7;
                        while (j < resp.length() && !Character.isWhitespace(resp.charAt(j))) {
                            j++;
                        }
                        server = resp.substring(i + 7, j);
                        reason = "";
                    }
                }
            } catch (IOException e) {
                reason = e.getClass().getSimpleName();
            }
            double t = now();
            if (server != null) {
                httpOk.incrementAndGet();
                if (failing || !server.equals(streak)) {
                    double gap = lastOk < 0 ? 0 : t - lastOk;
                    if (failing && gap > httpMaxGapMs) {
                        httpMaxGapMs = gap;
                    }
                    emit("http", String.format(Locale.ROOT, "ok server=%s gap_ms=%.1f", server, failing ? gap : 0.0));
                }
                streak = server;
                failing = false;
                lastOk = t;
            } else {
                httpFail.incrementAndGet();
                if (!failing) {
                    emit("http", String.format(Locale.ROOT, "fail last_ok=%.3f reason=%s", lastOk, reason));
                    failing = true;
                    streak = null;
                }
            }
            long pause = (long) (20 - (now() - began));
            if (pause > 0) {
                sleep(pause);
            }
        }
    }

    private static String readAll(InputStream in, int max) throws IOException {
        byte[] buf = new byte[max];
        int len = 0;
        int n;
        while (len < max && (n = in.read(buf, len, max - len)) >= 0) {
            len += n;
        }
        return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    }

    // ---- admin status ----

    /**
     * Asks one node every 100 ms, in turn (each node every 300 ms, so that the observer's own traffic
     * stays small on a throttled link), and prints the view of the best answer younger than one second.
     */
    /**
     * The mirror disk's replicas: {@code server1=up_to_date server2=outdated in_sync=true}, the last from
     * the owner's report of its link to the peer (false while it resyncs or has no link).
     */
    private static String mirror(GroupStatus g) {
        StringBuilder b = new StringBuilder();
        boolean inSync = false;
        for (io.baton.proto.admin.ReplicaStatus r : g.getReplicasList()) {
            b.append(r.getNode()).append('=').append(r.getState().name().replace("REPLICA_", "").toLowerCase(Locale.ROOT))
                    .append(' ');
            if (r.hasPeer() && r.getPeer().getInSync()) {
                inSync = true;
            }
        }
        return b.append("in_sync=").append(inSync).toString();
    }

    private void statusLoop() {
        List<ManagedChannel> channels = new ArrayList<>();
        for (String a : admins) {
            InetSocketAddress sa = addr(a);
            channels.add(Grpc.newChannelBuilderForAddress(sa.getHostString(), sa.getPort(), adminCredentials).build());
        }
        ClusterStatus[] answers = new ClusterStatus[channels.size()];
        long[] answeredAt = new long[channels.size()];
        String lastGroup = null;
        String lastNodes = null;
        String lastLeader = null;
        String lastRaft = null;
        String lastPolicy = null;
        String lastMirror = null;
        int next = 0;
        try {
            while (running()) {
                long began = System.nanoTime();
                int i = next;
                next = (next + 1) % channels.size();
                try {
                    answers[i] = BatonAdminGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                            .status(StatusRequest.getDefaultInstance());
                    answeredAt[i] = System.nanoTime();
                } catch (RuntimeException e) {
                    answers[i] = null;
                }
                statusPolls.incrementAndGet();
                ClusterStatus best = null;
                for (int j = 0; j < answers.length; j++) {
                    boolean fresh = answers[j] != null && System.nanoTime() - answeredAt[j] < TimeUnit.SECONDS.toNanos(1);
                    if (fresh && (best == null || rank(answers[j]) > rank(best))) {
                        best = answers[j];
                    }
                }
                String group;
                String nodes;
                String leader;
                if (best == null) {
                    group = "owner=? epoch=? phase=?";
                    nodes = "none-answered";
                    leader = "?";
                } else {
                    GroupStatus g = best.getGroupsCount() > 0 ? best.getGroups(0) : GroupStatus.getDefaultInstance();
                    group = "owner=" + (g.getOwner().isEmpty() ? "-" : g.getOwner()) + " epoch=" + g.getEpoch()
                            + " phase=" + g.getPhase().name().replace("PHASE_", "").toLowerCase(Locale.ROOT);
                    StringBuilder nb = new StringBuilder();
                    for (NodeStatus n : best.getNodesList()) {
                        nb.append(nb.length() == 0 ? "" : " ").append(n.getId()).append('=').append(n.getAlive() ? "up" : "down");
                    }
                    nodes = nb.toString();
                    leader = best.getLeader().isEmpty() ? "-" : best.getLeader();
                }
                if (!group.equals(lastGroup)) {
                    emit("group", group + (best == null ? "" : " by=" + best.getAnsweredBy()));
                    lastGroup = group;
                }
                if (!nodes.equals(lastNodes)) {
                    emit("nodes", nodes);
                    lastNodes = nodes;
                }
                if (!leader.equals(lastLeader)) {
                    emit("leader", leader);
                    lastLeader = leader;
                }
                if (best != null && best.getGroupsCount() > 0 && best.getGroups(0).getMirrored()) {
                    String mirror = mirror(best.getGroups(0));
                    if (!mirror.equals(lastMirror)) {
                        emit("mirror", mirror);
                        lastMirror = mirror;
                    }
                }
                if (monitorView && best != null && best.getGroupsCount() > 0) {
                    String policy = policy(best.getGroups(0));
                    if (!policy.equals(lastPolicy)) {
                        emit("policy", policy);
                        lastPolicy = policy;
                    }
                }
                String raft = raftContact(answers, answeredAt);
                if (!raft.equals(lastRaft)) {
                    emit("raft", raft);
                    lastRaft = raft;
                }
                long pause = 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                if (pause > 0) {
                    sleep(pause);
                }
            }
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    /**
     * "maintenance=false held=false degraded=false failed_on=server1,server2 warnings=probe-wait": what
     * the monitor scenarios look at besides owner, epoch and phase; a warning by its kind (the text
     * before its first ':').
     */
    private static String policy(GroupStatus g) {
        String failedOn = g.getFailedOnCount() == 0 ? "-" : String.join(",", g.getFailedOnList());
        String warnings = g.getWarningsCount() == 0 ? "-" : g.getWarningsList().stream()
                .map(w -> w.contains(":") ? w.substring(0, w.indexOf(':')) : w).map(w -> w.strip().replace(' ', '_'))
                .reduce((a, b) -> a + "," + b).orElse("-");
        return "maintenance=" + g.getMaintenance() + " held=" + g.getHeld() + " degraded=" + g.getDegraded()
                + " failed_on=" + failedOn + " warnings=" + warnings;
    }

    /**
     * Asks one node every 100 ms for the events after the last one seen (the node that answered last;
     * the next in turn when it does not answer) and prints each: {@code event seq=12 kind=restarted
     * node=server1 epoch=3 wall_ms=<its wall time> msg=<message, spaces as '_'>}. Events are part of the
     * replicated state, so every node has the same ones with the same sequence numbers.
     */
    private void eventsLoop() {
        List<ManagedChannel> channels = new ArrayList<>();
        for (String a : admins) {
            InetSocketAddress sa = addr(a);
            channels.add(Grpc.newChannelBuilderForAddress(sa.getHostString(), sa.getPort(), adminCredentials).build());
        }
        long lastSeq = 0;
        int node = 0;
        try {
            while (running()) {
                long began = System.nanoTime();
                try {
                    Iterator<Event> it = BatonAdminGrpc.newBlockingStub(channels.get(node))
                            .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                            .watch(WatchRequest.newBuilder().setAfterSeq(lastSeq).setRecent(1000).build());
                    for (int n = 0; n < 1000 && it.hasNext(); n++) {
                        Event e = it.next();
                        if (e.getSeq() <= lastSeq) {
                            continue;
                        }
                        lastSeq = e.getSeq();
                        String msg = e.getMessage().strip().replaceAll("\\s+", "_");
                        emit("event", "seq=" + e.getSeq() + " kind=" + (e.getKind().isEmpty() ? "?" : e.getKind())
                                + " node=" + (e.getNode().isEmpty() ? "-" : e.getNode()) + " epoch=" + e.getEpoch()
                                + " wall_ms=" + e.getWallTimeMs() + " msg=" + (msg.isEmpty() ? "-" : msg));
                    }
                } catch (RuntimeException e) {
                    node = (node + 1) % channels.size();
                }
                eventPolls.incrementAndGet();
                long pause = 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                if (pause > 0) {
                    sleep(pause);
                }
            }
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    /**
     * The Raft leader's contact with its followers, from the latest answer younger than one second that
     * has it: "leader=L in_contact=3/3 tolerates=1 missing=-", or "unknown".
     */
    private static String raftContact(ClusterStatus[] answers, long[] answeredAt) {
        int latest = -1;
        for (int j = 0; j < answers.length; j++) {
            boolean fresh = answers[j] != null && System.nanoTime() - answeredAt[j] < TimeUnit.SECONDS.toNanos(1);
            if (fresh && answers[j].getRaft().getKnown() && (latest < 0 || answeredAt[j] > answeredAt[latest])) {
                latest = j;
            }
        }
        if (latest < 0) {
            return "unknown";
        }
        RaftHealth h = answers[latest].getRaft();
        String missing = h.getFollowersList().stream().filter(f -> !f.getInContact()).map(RaftFollower::getNode)
                .reduce((a, b) -> a + "," + b).orElse("-");
        return "leader=" + h.getLeader() + " term=" + h.getTerm() + " in_contact=" + h.getInContact() + "/" + h.getVoters()
                + " tolerates=" + h.getFailuresTolerated() + " missing=" + missing;
    }

    /** The answer with the highest epoch; among those, the leader's own answer (a follower may lag). */
    private static long rank(ClusterStatus s) {
        long epoch = s.getGroupsCount() > 0 ? s.getGroups(0).getEpoch() : 0;
        boolean fromLeader = !s.getLeader().isEmpty() && s.getLeader().equals(s.getAnsweredBy());
        return epoch * 2 + (fromLeader ? 1 : 0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
