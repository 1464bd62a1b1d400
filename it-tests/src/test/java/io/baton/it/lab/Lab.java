package io.baton.it.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lab's network: one network namespace per host, each joined by a veth pair to a bridge that
 * itself lives in a namespace. Addresses are from 198.18.0.0/24 (inside 198.18.0.0/15, reserved for
 * benchmarking) and exist only inside these namespaces: there is no route out, and the root
 * namespace has no address in that range.
 *
 * <p>Every namespace name starts with {@code btlab-<pid>-}, the pid of the JVM that made it, so that a
 * later run can remove what a killed run left behind ({@link #cleanupStale()}). {@link #close()} kills
 * every process inside the namespaces and deletes them; a JVM shutdown hook does the same for any lab
 * still open.
 */
final class Lab implements AutoCloseable {
    static final String PREFIX = "btlab-";
    static final String BRIDGE_NS = "br";
    static final String SUBNET = "198.18.0";

    /** The hosts of the lab; {@code port} names the bridge-side end of the host's veth pair. */
    enum Host {
        SERVER1("server1", "s1", 1, "zone-a"),
        SERVER2("server2", "s2", 2, "zone-b"),
        WITNESS("witness", "w", 3, "zone-c"),
        /** Runs nothing unless a test adds it: the replacement of server2 (batonctl node replace). */
        SERVER3("server3", "s3", 4, "zone-b"),
        CLIENT("client", "c", 10, "");

        final String id;
        final String port;
        final int octet;
        final String zone;

        Host(String id, String port, int octet, String zone) {
            this.id = id;
            this.port = port;
            this.octet = octet;
            this.zone = zone;
        }

        String ip() {
            return SUBNET + "." + octet;
        }

        static Host of(String id) {
            for (Host h : values()) {
                if (h.id.equals(id)) {
                    return h;
                }
            }
            throw new IllegalArgumentException("no lab host " + id);
        }
    }

    /** A degraded link: packet loss in percent or added delay in ms, each direction. */
    record Impairment(String kind, int value) {
        @Override
        public String toString() {
            return kind.equals("loss") ? "loss " + value + "%" : "delay " + value + "ms";
        }
    }

    /**
     * {@code -Dlab.tcp_rto_max_ms=1000}: caps TCP's retransmission backoff in every host namespace
     * (Linux 6.15 and later), the host tuning docs/configuration.md describes. Unset: the kernel's default.
     */
    static final String TCP_RTO_MAX_MS = System.getProperty("lab.tcp_rto_max_ms");

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    private static final AtomicBoolean STALE_DONE = new AtomicBoolean();
    private static volatile Boolean netem;

    private final String name;
    private final Map<Host, String> ns = new EnumMap<>(Host.class);
    private final String bridgeNs;
    private final Map<Host, String> impairedBy = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lab(String name) {
        this.name = name;
        this.bridgeNs = name + BRIDGE_NS;
        for (Host h : Host.values()) {
            ns.put(h, name + h.port);
        }
    }

    /** Builds the topology; on any failure tears down what was made and rethrows. */
    static Lab create() {
        cleanupStale();
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Lab::close), "lab-teardown"));
        }
        Lab lab = new Lab(PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + "-");
        OPEN.add(lab);
        try {
            lab.build();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build() {
        Sh.check("ip", "netns", "add", bridgeNs);
        inNs(bridgeNs, "ip", "link", "set", "lo", "up").check();
        inNs(bridgeNs, "ip", "link", "add", "br0", "type", "bridge").check();
        inNs(bridgeNs, "ip", "link", "set", "br0", "up").check();
        for (Host h : Host.values()) {
            String n = ns.get(h);
            Sh.check("ip", "netns", "add", n);
            quietIpv6(n);
            inNs(n, "ip", "link", "set", "lo", "up").check();
            // Both ends are created directly in their namespaces: nothing appears in the root namespace.
            Sh.check("ip", "link", "add", "eth0", "netns", n, "type", "veth", "peer", "name", h.port, "netns", bridgeNs);
            inNs(bridgeNs, "ip", "link", "set", h.port, "master", "br0").check();
            inNs(bridgeNs, "ip", "link", "set", h.port, "up").check();
            inNs(n, "ip", "addr", "add", h.ip() + "/24", "dev", "eth0").check();
            inNs(n, "ip", "link", "set", "eth0", "up").check();
            if (TCP_RTO_MAX_MS != null) {
                inNs(n, "sysctl", "-qw", "net.ipv4.tcp_rto_max_ms=" + TCP_RTO_MAX_MS).check();
            }
        }
        quietIpv6(bridgeNs);
    }

    private void quietIpv6(String n) {
        // No router solicitations or DAD chatter on the lab links; IPv6 is not used.
        inNs(n, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
    }

    String name() {
        return name;
    }

    String ns(Host h) {
        return ns.get(h);
    }

    /** The command line that runs {@code argv} inside host {@code h}'s namespace. */
    List<String> cmd(Host h, String... argv) {
        return cmd(h, List.of(argv));
    }

    List<String> cmd(Host h, List<String> argv) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns.get(h)));
        c.addAll(argv);
        return c;
    }

    Sh.Result exec(Host h, String... argv) {
        return Sh.run(Duration.ofSeconds(20), cmd(h, argv));
    }

    Sh.Result exec(Duration timeout, Host h, String... argv) {
        return Sh.run(timeout, cmd(h, argv));
    }

    private static Sh.Result inNs(String n, String... argv) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", n));
        c.addAll(List.of(argv));
        return Sh.run(Duration.ofSeconds(20), c);
    }

    // ---- faults ----

    /** Takes the bridge side of the host's link down: the host keeps its address but reaches no one. */
    void linkDown(Host h) {
        inNs(bridgeNs, "ip", "link", "set", h.port, "down").check();
    }

    void linkUp(Host h) {
        inNs(bridgeNs, "ip", "link", "set", h.port, "up").check();
    }

    boolean linkIsUp(Host h) {
        return inNs(bridgeNs, "ip", "-br", "link", "show", h.port).out().contains(" UP ");
    }

    /** Whether this kernel has the netem queueing discipline (CONFIG_NET_SCH_NETEM). */
    static boolean netemAvailable() {
        Boolean n = netem;
        if (n == null) {
            String probe = PREFIX + ProcessHandle.current().pid() + "-netem";
            Sh.run("ip", "netns", "add", probe);
            Sh.Result r = inNs(probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms");
            Sh.run("ip", "netns", "del", probe);
            n = r.ok();
            netem = n;
        }
        return n;
    }

    /**
     * Degrades the host's link in both directions. With netem: {@code netem loss P%} or {@code netem
     * delay Dms} on both ends of the veth pair. Without netem (some kernels lack it): loss is an
     * iptables {@code statistic} rule dropping P% of the packets in and out of the host; delay has no
     * kernel mechanism left, so the link is throttled instead with a token bucket (tbf, 256 kbit/s
     * each way, packets queued up to 400 ms), which delays packets behind each other: a different,
     * gray fault, named as such in the output. Returns what was applied.
     */
    String impair(Host h, Impairment imp) {
        String applied;
        if (netemAvailable()) {
            List<String> spec = imp.kind().equals("loss")
                    ? List.of("netem", "loss", imp.value() + "%")
                    : List.of("netem", "delay", imp.value() + "ms");
            tc(ns.get(h), "eth0", spec);
            tc(bridgeNs, h.port, spec);
            applied = "tc " + String.join(" ", spec) + " on both ends";
        } else if (imp.kind().equals("loss")) {
            String p = String.format(Locale.ROOT, "%.2f", imp.value() / 100.0);
            inNs(ns.get(h), "iptables", "-w", "-A", "INPUT", "-i", "eth0", "-m", "statistic", "--mode", "random",
                    "--probability", p, "-j", "DROP").check();
            inNs(ns.get(h), "iptables", "-w", "-A", "OUTPUT", "-o", "eth0", "-m", "statistic", "--mode", "random",
                    "--probability", p, "-j", "DROP").check();
            applied = "iptables statistic drop p=" + p + " in and out (no netem in this kernel)";
        } else {
            // Not a fixed delay: a slow link, where packets wait behind each other (up to 400 ms) or drop.
            List<String> spec = List.of("tbf", "rate", "256kbit", "burst", "1600", "latency", "400ms");
            tc(ns.get(h), "eth0", spec);
            tc(bridgeNs, h.port, spec);
            applied = "no netem in this kernel: throttled instead, tc tbf rate 256kbit latency 400ms on both ends";
        }
        impairedBy.put(h, applied);
        return applied;
    }

    private static void tc(String n, String dev, List<String> spec) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", n, "tc", "qdisc", "replace", "dev", dev, "root"));
        c.addAll(spec);
        Sh.run(Duration.ofSeconds(10), c).check();
    }

    /** Removes any impairment of the host's link (idempotent). */
    void heal(Host h) {
        if (impairedBy.remove(h) == null) {
            return;
        }
        inNs(ns.get(h), "tc", "qdisc", "del", "dev", "eth0", "root");
        inNs(bridgeNs, "tc", "qdisc", "del", "dev", h.port, "root");
        inNs(ns.get(h), "iptables", "-w", "-F", "INPUT");
        inNs(ns.get(h), "iptables", "-w", "-F", "OUTPUT");
    }

    // ---- teardown ----

    /** Kills every process in the lab's namespaces and deletes them. Idempotent; safe from a shutdown hook. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<String> all = new ArrayList<>(ns.values());
        all.add(bridgeNs);
        destroy(all);
        OPEN.remove(this);
    }

    private static void destroy(List<String> namespaces) {
        for (int attempt = 0; attempt < 20; attempt++) {
            boolean any = false;
            for (String n : namespaces) {
                for (String pid : pids(n)) {
                    any = true;
                    // A stopped process must be continued before SIGKILL takes effect promptly.
                    Sh.run(Duration.ofSeconds(5), List.of("kill", "-CONT", pid));
                    Sh.run(Duration.ofSeconds(5), List.of("kill", "-KILL", pid));
                }
            }
            if (!any) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (String n : namespaces) {
            Sh.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", n));
        }
    }

    private static List<String> pids(String n) {
        Sh.Result r = Sh.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", n));
        if (!r.ok()) {
            return List.of();
        }
        return r.out().lines().map(String::trim).filter(s -> s.matches("\\d+")).toList();
    }

    /**
     * Removes namespaces (and kills their processes) that a previous run left behind: those with the
     * lab prefix whose creating JVM is gone. Labs of a JVM still running are left alone.
     */
    static void cleanupStale() {
        if (STALE_DONE.compareAndSet(false, true)) {
            removeStale();
        }
    }

    /** The work of {@link #cleanupStale()}; returns the namespaces it removed. */
    static List<String> removeStale() {
        Sh.Result r = Sh.run("ip", "netns", "list");
        if (!r.ok()) {
            return List.of();
        }
        List<String> stale = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            String n = line.split("\\s+")[0];
            if (!n.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = n.substring(PREFIX.length()).split("-");
            long owner;
            try {
                owner = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                owner = -1;
            }
            boolean ownerRuns = ProcessHandle.of(owner).filter(ProcessHandle::isAlive)
                    .flatMap(p -> p.info().command()).map(c -> c.endsWith("java")).orElse(false);
            if (owner == ProcessHandle.current().pid() || ownerRuns) {
                continue; // this JVM's labs are closed by close()/closeAll(); a live JVM's are its own
            }
            stale.add(n);
        }
        if (!stale.isEmpty()) {
            System.out.println("lab: removing stale namespaces of an earlier run: " + stale);
            destroy(stale);
        }
        return stale;
    }

    /** Closes every lab this JVM still has open (a test class's last safety net). */
    static void closeAll() {
        OPEN.forEach(Lab::close);
    }

    /** The lab namespaces present now, of any run. */
    static List<String> labNamespaces() {
        return Sh.run("ip", "netns", "list").out().lines().map(l -> l.split("\\s+")[0])
                .filter(n -> n.startsWith(PREFIX)).toList();
    }
}
