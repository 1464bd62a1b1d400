package io.baton.it.lab;

import static org.awaitility.Awaitility.await;

import io.baton.it.lab.Lab.Host;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One lab run: the network ({@link Lab}), HAProxy in the client, a Baton node per server and the
 * witness (each {@code ip netns exec <ns> java ... NodeMain}), nginx on the servers started and
 * stopped by the group's exec resource, and the {@link LabObserver} in the client. Everything it writes
 * is kept under its directory (cluster file, scripts, nginx and HAProxy configs and logs, node logs,
 * the observer's lines, the last events) so that a failure can be read afterwards.
 */
final class LabEnv implements AutoCloseable {
    static final int PROBE_PORT = 12345;
    static final String GROUP = "web";
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    /** Configured defaults the bound computations use (docs/configuration.md). */
    static final double MAX_DRIFT = 0.01;
    static final Duration TAKEOVER_MARGIN = Duration.ofMillis(200);
    /** The cluster file's election_timeout: the default, or {@code -Dlab.election_timeout_ms=N} to try another. */
    static final Duration ELECTION_TIMEOUT = Duration.ofMillis(Long.getLong("lab.election_timeout_ms", 300));
    /** HAProxy's health check of the probe port. */
    static final int CHECK_INTER_MS = 100;
    static final int CHECK_FALL = 2;
    static final int CHECK_RISE = 2;
    static final String HAPROXY_SETTINGS = "inter" + CHECK_INTER_MS + "/fall" + CHECK_FALL + "/rise" + CHECK_RISE;
    /** Every admin port, server3's last: it answers only once a test has added it. */
    static final String ADMIN_ENDPOINTS = Host.SERVER1.ip() + ":7401," + Host.SERVER2.ip() + ":7401," + Host.WITNESS.ip() + ":7401,"
            + Host.SERVER3.ip() + ":7401";
    static final List<String> NODES = List.of("server1", "server2", "witness");
    static final Duration STARTUP = Duration.ofSeconds(90);

    record CtlRun(int exit, String out) {}

    /**
     * What the cluster file carries beyond the lab's base configuration. {@link #BASE} (what
     * LabScenariosIT and NemesisIT run) adds nothing: no monitor, every group key at its default.
     *
     * @param monitor   the nginx exec resource's {@code monitor} (a YAML flow mapping), or null for none
     * @param restart   its {@code restart} (a YAML flow mapping), or null for none (the default applies)
     * @param groupKeys further keys of group {@code web} ({@code probe_wait}, {@code on_failure}, ...), in order
     * @param mirrorBytes a mirror disk of this size (ext4) in the group, with a writer of numbered fsynced
     *                  records on it as part of the application ({@link #checkRecords}); 0 for none
     */
    record Options(String monitor, String restart, Map<String, String> groupKeys, long mirrorBytes) {
        static final Options BASE = new Options(null, null, Map.of(), 0);
        /** The monitor scenarios' check of nginx: GET / on port 80 of the server's own address. */
        static final String HTTP_MONITOR = "{type: http, port: 80, path: /, interval: 1s, timeout: 500ms, failures: 2}";
        static final String RESTART = "{max: 1, within: 10m}";
        static final Duration MONITOR_INTERVAL = Duration.ofSeconds(1);
        static final int MONITOR_FAILURES = 2;

        /** nginx monitored by {@link #HTTP_MONITOR} with {@link #RESTART}; the group keys at their defaults. */
        static Options monitored() {
            return new Options(HTTP_MONITOR, RESTART, Map.of(), 0);
        }

        Options withRestart(String r) {
            return new Options(monitor, r, groupKeys, mirrorBytes);
        }

        Options withGroupKey(String key, String value) {
            Map<String, String> keys = new LinkedHashMap<>(groupKeys);
            keys.put(key, value);
            return new Options(monitor, restart, keys, mirrorBytes);
        }

        /** The base lab with a mirror disk of {@code bytes} and the record writer on it. */
        static Options mirrored(long bytes) {
            return new Options(null, null, Map.of(), bytes);
        }

        /** Whether the observer reports the group's policy state and the events (anything beyond BASE). */
        boolean monitorView() {
            return monitor != null || !groupKeys.isEmpty();
        }

        /** For the report: "monitor=... restart=... probe_wait=5s", or "base". */
        String describe() {
            StringBuilder b = new StringBuilder();
            if (monitor != null) {
                b.append("monitor=").append(monitor.replace(" ", ""));
            }
            if (restart != null) {
                b.append(b.length() == 0 ? "" : " ").append("restart=").append(restart.replace(" ", ""));
            }
            groupKeys.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
            if (mirrorBytes > 0) {
                b.append(b.length() == 0 ? "" : " ").append("mirror_disk=").append(mirrorBytes >> 20).append("MiB");
            }
            return b.length() == 0 ? "base" : b.toString();
        }
    }

    final Lab lab;
    final Path dir;
    private final Path config;
    private final Path haproxySocket;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    /** [before, after] (monotonic ms) of every SIGCONT sent. */
    private final List<double[]> resumes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * Every S1 violation fails the test. -Dlab.strict=false tolerates one within 250 ms of a SIGCONT
     * (the race fixed in ProbePortResource, see docs/lab.md), for comparing.
     */
    static final boolean STRICT = !"false".equals(System.getProperty("lab.strict"));
    private Process haproxy;
    LabObserver observer;
    final Options options;

    private LabEnv(Lab lab, Path dir, Options options) {
        this.lab = lab;
        this.dir = dir;
        this.options = options;
        this.config = dir.resolve("cluster.yaml");
        Path sock = dir.resolve("haproxy.sock");
        // A unix socket path has at most 107 bytes; a deep checkout falls back to /tmp.
        this.haproxySocket = sock.toString().length() < 100 ? sock
                : Path.of("/tmp", lab.name() + "haproxy.sock");
    }

    /**
     * Builds the lab in a fresh {@code dir} and starts everything; returns once the group is online on
     * server1 and the client gets its pages from server1 through HAProxy.
     */
    static LabEnv start(Path dir) throws Exception {
        return start(dir, Options.BASE);
    }

    /** {@link #start(Path)} with a cluster file that carries {@code options}. */
    static LabEnv start(Path dir, Options options) throws Exception {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("logs"));
        Lab lab = Lab.create();
        LabEnv env = new LabEnv(lab, dir, options);
        try {
            env.writeFiles();
            env.startHaproxy();
            // The observer runs from the start, so S1 is checked while the cluster comes up too.
            env.observer = LabObserver.start(lab, dir, env.haproxySocket, TimeUnit.MINUTES.toMillis(60),
                    options.monitorView());
            for (String id : NODES) {
                env.startNode(id);
            }
            env.awaitServing("server1", STARTUP);
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(env.observer::allNodesUp);
        } catch (Throwable t) {
            env.close();
            throw t;
        }
        return env;
    }

    // ---- files ----

    /**
     * Whether the lab runs with TLS on every link: on, as a deployment runs; {@code -Dbaton.lab.tls=false}
     * runs it in plaintext (cluster.insecure), to compare. See docs/lab.md on the witness scenario,
     * which failed with TLS until Raft clients were steered to the leader their server knows and
     * hand-overs waited for a witness in step.
     */
    static final boolean TLS = !"false".equals(System.getProperty("baton.lab.tls"));

    /** The operator certificate batonctl and the observer use in the lab (role admin). */
    static final String ADMIN_CERT = "lab-admin";

    /**
     * The cluster file's TLS line: a CA of the lab's own, a certificate per node (its lab address) and
     * the operator's, in {@code dir/tls}, with {@link #TLS}; else {@code insecure: true}.
     */
    private String tlsYaml() throws IOException {
        if (!TLS) {
            return "  insecure: true\n";
        }
        Path tls = Files.createDirectories(dir.resolve("tls"));
        java.time.Instant now = java.time.Instant.now();
        io.baton.node.security.CertificateAuthority ca =
                io.baton.node.security.CertificateAuthority.create("baton-lab", Duration.ofDays(2), now);
        io.baton.node.security.PemFiles.write(tls, "ca", ca.ca());
        for (Host h : List.of(Host.SERVER1, Host.SERVER2, Host.WITNESS, Host.SERVER3)) {
            io.baton.node.security.PemFiles.write(tls, h.id, ca.issueNode(h.id, List.of(h.ip()), Duration.ofDays(2), now));
        }
        io.baton.node.security.PemFiles.write(tls, ADMIN_CERT,
                ca.issueOperator(ADMIN_CERT, io.baton.node.security.Role.ADMIN, Duration.ofDays(2), now));
        return "  tls: {ca: '" + tls.resolve("ca.crt") + "', cert: '" + tls + "/${node}.crt', key: '" + tls
                + "/${node}.key'}\n";
    }

    /** batonctl's TLS flags for the lab's operator certificate; none without TLS. */
    List<String> ctlTlsFlags() {
        Path tls = dir.resolve("tls");
        if (!Files.exists(tls.resolve("ca.crt"))) {
            return List.of();
        }
        return List.of("--ca", tls.resolve("ca.crt").toString(), "--cert", tls.resolve(ADMIN_CERT + ".crt").toString(),
                "--key", tls.resolve(ADMIN_CERT + ".key").toString());
    }

    private void writeFiles() throws IOException {
        Path nginxDir = dir.resolve("nginx");
        Files.createDirectories(nginxDir);
        String nginx = LabSupport.binary("nginx");
        for (Host h : List.of(Host.SERVER1, Host.SERVER2, Host.SERVER3)) {
            Path d = nginxDir.resolve(h.id);
            Files.createDirectories(d.resolve("www"));
            Files.createDirectories(d.resolve("tmp"));
            Files.writeString(d.resolve("www/index.html"), "baton-lab page server=" + h.id + " \n");
            Files.writeString(d.resolve("nginx.conf"), String.join("\n",
                    "# nginx of " + h.id + " in the Baton lab; started and stopped by the group's exec resource.",
                    "daemon on;",
                    "master_process on;",
                    "worker_processes 1;",
                    "user root root;",
                    "pid " + d.resolve("nginx.pid") + ";",
                    "error_log " + d.resolve("error.log") + " warn;",
                    "events { worker_connections 128; }",
                    "http {",
                    "    access_log off;",
                    "    default_type text/plain;",
                    "    client_body_temp_path " + d.resolve("tmp/body") + ";",
                    "    proxy_temp_path " + d.resolve("tmp/proxy") + ";",
                    "    fastcgi_temp_path " + d.resolve("tmp/fastcgi") + ";",
                    "    uwsgi_temp_path " + d.resolve("tmp/uwsgi") + ";",
                    "    scgi_temp_path " + d.resolve("tmp/scgi") + ";",
                    "    server {",
                    "        listen " + h.ip() + ":80;",
                    "        root " + d.resolve("www") + ";",
                    "        location / { index index.html; }",
                    "    }",
                    "}", ""));
        }
        String base = nginxDir.toString();
        // Both scripts run in the server's namespace, since its baton-node does. BATON_NODE picks the config.
        // alive: the process exists and is not a zombie. An orphaned nginx master is reparented to pid 1,
        // which may reap it late (this VM's init takes about 1.5 s), and kill -0 succeeds on a zombie.
        String alive = "alive() { s=$(sed -n 's/^State:[[:space:]]*\\([A-Z]\\).*/\\1/p' /proc/$1/status 2>/dev/null); [ -n \"$s\" ] && [ \"$s\" != Z ]; }";
        Path start = script("nginx-start.sh", String.join("\n",
                alive,
                "d=" + base + "/$BATON_NODE",
                "echo \"$(date +%s.%N) start $BATON_NODE epoch=$BATON_EPOCH\" >> " + base + "/scripts.log",
                "if [ -s \"$d/nginx.pid\" ] && alive \"$(cat \"$d/nginx.pid\")\"; then exit 0; fi",
                "# nginx exits non-zero at once when it cannot start (a broken config, the port taken): fail then",
                nginx + " -e \"$d/error.log\" -p \"$d\" -c \"$d/nginx.conf\" || { echo \"nginx failed to start (exit $?)\" >&2; exit 1; }",
                "# the daemon's parent returns once the port is bound; the pid file follows from the master",
                "i=0",
                "while [ $i -lt 50 ]; do",
                "  if [ -s \"$d/nginx.pid\" ] && alive \"$(cat \"$d/nginx.pid\")\"; then",
                "    echo \"$(date +%s.%N) started $BATON_NODE epoch=$BATON_EPOCH\" >> " + base + "/scripts.log",
                "    exit 0",
                "  fi",
                "  sleep 0.1; i=$((i+1))",
                "done",
                "echo \"nginx did not write $d/nginx.pid\" >&2",
                "exit 1", ""));
        Path stop = script("nginx-stop.sh", String.join("\n",
                alive,
                "d=" + base + "/$BATON_NODE",
                "echo \"$(date +%s.%N) stop $BATON_NODE epoch=$BATON_EPOCH\" >> " + base + "/scripts.log",
                "[ -s \"$d/nginx.pid\" ] || exit 0",
                "pid=$(cat \"$d/nginx.pid\" 2>/dev/null || true)",
                "case \"$pid\" in ''|*[!0-9]*) rm -f \"$d/nginx.pid\"; exit 0;; esac",
                "alive \"$pid\" || { rm -f \"$d/nginx.pid\"; exit 0; }",
                "workers=$(ps -o pid= --ppid \"$pid\" 2>/dev/null || true)",
                "kill -TERM \"$pid\" 2>/dev/null || true   # fast shutdown: the master stops its workers",
                "i=0",
                "while alive \"$pid\" && [ $i -lt 60 ]; do sleep 0.02; i=$((i+1)); done",
                "if alive \"$pid\"; then",
                "  echo \"nginx $pid ignored TERM; killing it and its workers\" >&2",
                "  kill -KILL \"$pid\" $workers 2>/dev/null || true",
                "fi",
                "rm -f \"$d/nginx.pid\"",
                "exit 0", ""));

        StringBuilder yaml = new StringBuilder()
                .append("# The Baton fault lab: two data nodes and a witness, each in its own network namespace.\n")
                .append("cluster:\n  name: baton-lab\n")
                .append("  heartbeat_interval: ").append(HEARTBEAT.toMillis()).append("ms\n")
                .append("  lease: ").append(LEASE.toMillis()).append("ms\n")
                .append("  election_timeout: ").append(ELECTION_TIMEOUT.toMillis()).append("ms\n")
                .append(tlsYaml())
                .append("nodes:\n");
        boolean mirror = options.mirrorBytes() > 0;
        for (Host h : List.of(Host.SERVER1, Host.SERVER2, Host.WITNESS)) {
            yaml.append("  - {id: ").append(h.id).append(", role: ").append(h == Host.WITNESS ? "witness" : "data")
                    .append(", zone: ").append(h.zone).append(", raft: ").append(h.ip()).append(":7400, admin: ")
                    .append(h.ip()).append(":7401");
            if (mirror && h != Host.WITNESS) {
                yaml.append(", mirror: ").append(h.ip()).append(":7402");
            }
            yaml.append("}\n");
        }
        yaml.append("groups:\n  - name: ").append(GROUP).append("\n    nodes: [server1, server2]\n    resources:\n");
        if (mirror) {
            for (Host h : List.of(Host.SERVER1, Host.SERVER2, Host.SERVER3)) {
                Files.createDirectories(mountPoint(h.id));
                Files.createDirectories(dir.resolve("replicas").resolve(h.id));
            }
            Files.createDirectories(dir.resolve("acks"));
            yaml.append("      - {type: mirror_disk, name: md, data: '").append(dir).append("/replicas/${node}/md.img'")
                    .append(", metadata: '").append(dir).append("/replicas/${node}/md.meta', size: ")
                    .append(options.mirrorBytes()).append("B, mount: '").append(dir).append("/mnt/${node}'")
                    .append(", resync_rate: 8MiB/s}\n")
                    .append("      - {type: exec, name: records, start: ").append(recordWriterScripts()[0])
                    .append(", stop: ").append(recordWriterScripts()[1]).append(", timeout: 10s}\n");
        }
        yaml.append("      - {type: exec, name: nginx, start: ").append(start).append(", stop: ").append(stop)
                .append(", timeout: 10s");
        if (options.monitor() != null) {
            yaml.append(", monitor: ").append(options.monitor());
        }
        if (options.restart() != null) {
            yaml.append(", restart: ").append(options.restart());
        }
        yaml.append("}\n")
                .append("      - {type: probe_port, name: lb-probe, port: ").append(PROBE_PORT).append(", mode: tcp}\n");
        options.groupKeys().forEach((k, v) -> yaml.append("    ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(config, yaml);

        Files.writeString(dir.resolve("haproxy.cfg"), String.join("\n",
                "# The load balancer, configured like the NLB: TCP, health checks on the probe port only.",
                "global",
                "    stats socket " + haproxySocket + " mode 600 level admin",
                "    maxconn 512",
                "    log stdout format raw local0 info",
                "defaults",
                "    log global",
                "    option log-health-checks",
                "    mode tcp",
                "    timeout connect 200ms",
                "    timeout client 10s",
                "    timeout server 10s",
                "    timeout check " + CHECK_INTER_MS + "ms",
                "    retries 1",
                "    option redispatch",
                "frontend fe_web",
                "    bind " + Host.CLIENT.ip() + ":80",
                "    no log",
                "    default_backend web",
                "backend web",
                "    default-server check port " + PROBE_PORT + " inter " + CHECK_INTER_MS + " fall " + CHECK_FALL
                        + " rise " + CHECK_RISE,
                "    server server1 " + Host.SERVER1.ip() + ":80",
                "    server server2 " + Host.SERVER2.ip() + ":80",
                "    server server3 " + Host.SERVER3.ip() + ":80",
                ""));
    }

    /**
     * The application's writer on the mirror disk (S2's witness): each activation appends numbered lines
     * {@code "N EPOCH NODE"} to {@code records-EPOCH-NODE-NANOS} on the mount, fsyncs each ({@code sync
     * FILE}), and only then appends N to the file of that name in {@code acks/} of the lab directory, outside any node:
     * every number there was acknowledged to the writer and must be on the disk of whoever owns the group
     * later. It runs until stopped or until a write or fsync fails (its node died or was fenced), about 20
     * records a second (two process starts per record: a tighter loop would load this 2-core machine).
     */
    private Path[] recordWriterScripts() throws IOException {
        String base = dir.toString();
        Path start = script("records-start.sh", String.join("\n",
                "m=" + base + "/mnt/$BATON_NODE; f=records-$BATON_EPOCH-$BATON_NODE-$(date +%s%N); pidf=" + base + "/acks/writer-$BATON_NODE.pid",
                "if [ -s \"$pidf\" ] && kill -0 \"$(cat \"$pidf\")\" 2>/dev/null; then exit 0; fi",
                "setsid sh -c '",
                "  i=0",
                "  while :; do",
                "    printf \"%d %s %s\\n\" $i \"$BATON_EPOCH\" \"$BATON_NODE\" >> \"$1/$2\" || exit 1",
                "    sync \"$1/$2\" || exit 1",
                "    echo $i >> \"$3/$2\"",
                "    i=$((i+1))",
                "    sleep 0.05",
                "  done' writer \"$m\" \"$f\" " + base + "/acks < /dev/null > /dev/null 2>&1 &",
                "echo $! > \"$pidf\"",
                "exit 0", ""));
        Path stop = script("records-stop.sh", String.join("\n",
                "pidf=" + base + "/acks/writer-$BATON_NODE.pid",
                "[ -s \"$pidf\" ] || exit 0",
                "pid=$(cat \"$pidf\")",
                "kill -TERM \"$pid\" 2>/dev/null || true",
                "i=0; while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done",
                "kill -KILL \"$pid\" 2>/dev/null || true",
                "rm -f \"$pidf\"",
                "exit 0", ""));
        return new Path[] {start, stop};
    }

    /** Where node {@code id} mounts the mirror disk (inside its own mount namespace). */
    Path mountPoint(String id) {
        return dir.resolve("mnt").resolve(id);
    }

    /** What {@link #checkRecords} found: records acknowledged to the writer, in how many files. */
    record RecordCheck(long acknowledged, int files) {}

    /**
     * S2 on the mirror disk: every record number in {@code acks/} (acknowledged to the writer after its
     * fsync) is on {@code owner}'s mounted disk, as written, read inside the owner's mount namespace
     * ({@code nsenter -m} into its daemon). An ack file is read before its record file, so a record
     * acknowledged meanwhile is not asked for. Throws an AssertionError naming the first one missing.
     */
    RecordCheck checkRecords(String owner) throws IOException {
        Process p = nodes.get(owner);
        long acknowledged = 0;
        int files = 0;
        List<Path> acks;
        try (var list = Files.list(dir.resolve("acks"))) {
            acks = list.filter(a -> a.getFileName().toString().startsWith("records-")).sorted().toList();
        }
        for (Path ack : acks) {
            List<String> lines = Files.readAllLines(ack);
            long last = -1;
            for (String l : lines) {
                if (l.matches("\\d+")) {
                    last = Math.max(last, Long.parseLong(l));
                }
            }
            if (last < 0) {
                continue;
            }
            String name = ack.getFileName().toString();
            Path file = mountPoint(owner).resolve(name);
            Sh.Result r = Sh.run(Duration.ofSeconds(30), List.of("nsenter", "-t", Long.toString(p.pid()), "-m",
                    "cat", file.toString()));
            String[] parts = name.split("-"); // records-EPOCH-NODE-NANOS
            List<String> got = r.exit() == 0 ? List.of(r.out().split("\n", -1)) : List.of();
            for (long n = 0; n <= last; n++) {
                String want = n + " " + parts[1] + " " + parts[2];
                if (n >= got.size() || !got.get((int) n).equals(want)) {
                    throw new AssertionError("S2 violated: record " + n + " of " + name + " was acknowledged (up to " + last
                            + ") but " + owner + "'s disk has " + (n >= got.size() ? "no such line" : "'" + got.get((int) n) + "'")
                            + (r.exit() == 0 ? "" : " (cat failed: " + r.out().strip() + ")") + "; see " + dir);
                }
            }
            acknowledged += last + 1;
            files++;
        }
        return new RecordCheck(acknowledged, files);
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        p.toFile().setExecutable(true);
        return p;
    }

    // ---- processes ----

    private void startHaproxy() throws IOException {
        String bin = LabSupport.binary("haproxy");
        lab.exec(Host.CLIENT, bin, "-c", "-f", dir.resolve("haproxy.cfg").toString()).check();
        haproxy = Sh.builder(lab.cmd(Host.CLIENT, bin, "-db", "-f", dir.resolve("haproxy.cfg").toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/haproxy.log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(haproxySocket) || !haproxy.isAlive());
        if (!haproxy.isAlive()) {
            throw new IllegalStateException("haproxy did not start: " + Files.readString(dir.resolve("logs/haproxy.log")));
        }
    }

    void startNode(String id) throws IOException {
        startNode(id, config);
    }

    /**
     * A copy of the cluster file with {@code h}'s own entry added under {@code nodes:}: what a new node
     * starts with before {@code batonctl node add} or {@code replace} (docs/membership.md).
     */
    Path newNodeConfig(Host h) throws IOException {
        String entry = "  - {id: " + h.id + ", role: data, zone: " + h.zone + ", raft: " + h.ip() + ":7400, admin: "
                + h.ip() + ":7401" + (options.mirrorBytes() > 0 ? ", mirror: " + h.ip() + ":7402" : "") + "}\n";
        Path copy = dir.resolve("cluster-" + h.id + ".yaml");
        Files.writeString(copy, Files.readString(config).replace("groups:\n", entry + "groups:\n"));
        return copy;
    }

    /** Starts node {@code id} in its namespace with the cluster file {@code clusterFile}. */
    void startNode(String id, Path clusterFile) throws IOException {
        Process old = nodes.get(id);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(id + " is running");
        }
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        // -Dlab.node.jvmArgs="-Dlogback.configurationFile=..." and the like, to look into a run.
        String extra = System.getProperty("lab.node.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            java.addAll(List.of(extra.split("\\s+")));
        }
        java.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.baton.node.NodeMain", "--config", clusterFile.toString(), "--node", id,
                "--data-dir", dir.resolve("data").resolve(id).toString()));
        Path log = dir.resolve("logs").resolve(id + ".log");
        Files.writeString(log, String.format(Locale.ROOT, "---- lab: started at %.3f (monotonic ms)%n", LabObserver.now()),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = Sh.builder(lab.cmd(Host.of(id), java))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        nodes.put(id, p);
    }

    boolean nodeRunning(String id) {
        Process p = nodes.get(id);
        return p != null && p.isAlive();
    }

    /** SIGKILL to the node's daemon (the JVM itself: {@code ip netns exec} replaces itself with it). */
    void kill(String id) throws InterruptedException {
        Process p = nodes.get(id);
        note("SIGKILL " + id + " pid " + p.pid());
        p.destroyForcibly(); // SIGKILL ends a stopped process too, without letting it run first
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " survived SIGKILL");
        }
    }

    /** SIGTERM and wait (bounded): the daemon's clean stop, which stops its groups' resources first. */
    void terminate(String id) throws InterruptedException {
        Process p = nodes.get(id);
        note("SIGTERM " + id + " pid " + p.pid());
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    void signal(String id, String sig) {
        Process p = nodes.get(id);
        double before = LabObserver.now();
        Sh.run(Duration.ofSeconds(5), List.of("kill", "-" + sig, Long.toString(p.pid()))).check();
        if (sig.equals("CONT")) {
            resumes.add(new double[] {before, LabObserver.now()});
        }
        note("SIG" + sig + " " + id + " pid " + p.pid());
    }

    /**
     * Whether the observer's line at {@code t} falls in the instant after a SIGCONT the lab sent: the
     * known bug of the probe port accepting for a few ms after its frozen owner resumes (docs/lab.md,
     * "Known issue"). The connect may have been launched up to the probe timeout before the line.
     */
    boolean inResumeWindow(double t) {
        return resumes.stream().anyMatch(r -> t >= r[0] && t <= r[1] + 250);
    }

    /** Writes a marker into every node log, so that a log can be read against the test's steps. */
    void note(String what) {
        String line = String.format(Locale.ROOT, "---- lab: %.3f %s%n", LabObserver.now(), what);
        for (String id : NODES) {
            try {
                Files.writeString(dir.resolve("logs").resolve(id + ".log"), line, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException ignored) {
                // best effort
            }
        }
        try {
            Files.writeString(dir.resolve("steps.log"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** {@code bin/batonctl --endpoint <all three> ARGS...} run from the client's namespace. */
    CtlRun batonctl(String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("baton.home"), "bin", "batonctl").toString(),
                "--endpoint", ADMIN_ENDPOINTS));
        argv.addAll(ctlTlsFlags());
        argv.addAll(List.of(args));
        Sh.Result r = Sh.run(Duration.ofSeconds(60), lab.cmd(Host.CLIENT, argv));
        try {
            Files.writeString(dir.resolve("batonctl.log"), String.format(Locale.ROOT, "%.3f $ batonctl %s%n%s(exit %d)%n",
                    LabObserver.now(), String.join(" ", args), r.out(), r.exit()), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // best effort
        }
        return new CtlRun(r.exit(), r.out());
    }

    /** One GET of the page through HAProxy from the client (bash /dev/tcp); the server it names, if any. */
    Optional<String> fetchPage() {
        Sh.Result r = lab.exec(Duration.ofSeconds(5), Host.CLIENT, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + Host.CLIENT.ip() + "/80 && printf 'GET / HTTP/1.0\\r\\nHost: lab\\r\\n\\r\\n' >&3 && cat <&3");
        if (!r.ok() || !r.out().startsWith("HTTP/1.1 200")) {
            return Optional.empty();
        }
        int i = r.out().indexOf("server=");
        return i < 0 ? Optional.empty() : Optional.of(r.out().substring(i + 7).split("\\s")[0]);
    }

    // ---- the application and the load balancer (monitor scenarios) ----

    /**
     * SIGKILL to the server's nginx, master and workers at once: nginx's daemon() makes the master the
     * leader of its own process group, which its workers share, so {@code kill -KILL -- -<master>}
     * ends them all (killing the master alone would leave its worker serving). Returns the master's pid.
     */
    long killNginx(Host h) {
        long pid = nginxPid(h).orElseThrow(() -> new IllegalStateException("no nginx running on " + h.id));
        note("SIGKILL nginx on " + h.id + ": process group " + pid + " (master and workers)");
        Sh.run(Duration.ofSeconds(5), List.of("kill", "-KILL", "--", "-" + pid)).check();
        return pid;
    }

    /**
     * Breaks the server's nginx config (an unknown directive), so that its start script fails at once
     * ({@code nginx: [emerg] unknown directive}); an nginx already running is not affected.
     */
    void breakNginxConfig(Host h) throws IOException {
        Path conf = dir.resolve("nginx").resolve(h.id).resolve("nginx.conf");
        note("nginx config of " + h.id + " broken: its start script fails from now on");
        Files.writeString(conf, "baton_lab_broken_on_purpose on;\n", StandardOpenOption.APPEND);
    }

    /** Undoes {@link #breakNginxConfig}. */
    void repairNginxConfig(Host h) throws IOException {
        Path conf = dir.resolve("nginx").resolve(h.id).resolve("nginx.conf");
        note("nginx config of " + h.id + " repaired");
        Files.writeString(conf, Files.readString(conf).replace("baton_lab_broken_on_purpose on;\n", ""));
    }

    /** The lines of the nginx scripts' log ({@code <epoch s> start|started|stop <server> epoch=<n>}). */
    List<String> scriptLines() {
        try {
            return Files.readAllLines(dir.resolve("nginx").resolve("scripts.log"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Drops every TCP SYN to the probe port inside the server's namespace (iptables INPUT): nothing,
     * neither HAProxy's checks nor the observer's probes, reaches it. The observer then sees the port
     * closed; S1 is not at stake (a port that cannot be reached is not a second active one).
     */
    void blockProbePort(Host h) {
        note("probe port of " + h.id + " blocked (iptables DROP)");
        lab.exec(h, probeRule("-I")).check();
    }

    void unblockProbePort(Host h) {
        note("probe port of " + h.id + " unblocked");
        lab.exec(h, probeRule("-D")).check();
    }

    private static String[] probeRule(String op) {
        return new String[] {"iptables", "-w", op, "INPUT", "-p", "tcp", "--dport", Integer.toString(PROBE_PORT), "-j", "DROP"};
    }

    /**
     * One command on HAProxy's admin socket (from this JVM: a unix socket is reached through the file
     * system, whatever the namespace), e.g. {@code disable health web/server1}; its answer. Bounded: 2 s.
     */
    String haproxyCommand(String command) throws IOException {
        note("haproxy: " + command);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(haproxySocket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            // HAProxy answers one command and closes the connection.
            while (buf.hasRemaining() && System.nanoTime() < until) {
                sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
                sel.selectedKeys().clear();
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            buf.flip();
            return StandardCharsets.UTF_8.decode(buf).toString().strip();
        }
    }

    /**
     * The time of day (ms since midnight, local time) of each line of the node's log that contains
     * {@code text}; the log's timestamps are {@code HH:mm:ss.SSS} in local time.
     */
    List<Long> logTimesOfDay(String node, String text) {
        try {
            return Files.readAllLines(dir.resolve("logs").resolve(node + ".log")).stream()
                    .filter(l -> l.contains(text) && l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                    .map(l -> java.time.LocalTime.parse(l.substring(0, 12)).toNanoOfDay() / 1_000_000).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code wallMs} as ms since local midnight, to compare with {@link #logTimesOfDay}. */
    static long timeOfDay(long wallMs) {
        return java.time.Instant.ofEpochMilli(wallMs).atZone(java.time.ZoneId.systemDefault()).toLocalTime()
                .toNanoOfDay() / 1_000_000;
    }

    // ---- checks from inside a host ----

    /** Whether something listens on TCP {@code port} in the host's namespace ({@code ss -ltn} there). */
    boolean listening(Host h, int port) {
        Sh.Result r = lab.exec(Duration.ofSeconds(10), h, "ss", "-ltnH");
        if (!r.ok()) {
            throw new IllegalStateException("ss failed in " + h.id + ": " + r.out());
        }
        return r.out().lines().anyMatch(l -> l.matches(".*[\\s:]" + port + "\\s.*"));
    }

    /** The pid of the server's nginx master if it runs (pid file and a live process). */
    Optional<Long> nginxPid(Host h) {
        Path pidFile = dir.resolve("nginx").resolve(h.id).resolve("nginx.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return alive(pid) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The process exists and is not a zombie (pid 1 of this kind of VM reaps orphans late). */
    static boolean alive(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("State:")).noneMatch(l -> l.contains("Z"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Fenced as seen from inside: no probe listener, no nginx listener, no nginx process. */
    boolean fencedInside(Host h) {
        return !listening(h, PROBE_PORT) && !listening(h, 80) && nginxPid(h).isEmpty();
    }

    /** Active as seen from inside: probe and nginx listening, nginx running. */
    boolean activeInside(Host h) {
        return listening(h, PROBE_PORT) && listening(h, 80) && nginxPid(h).isPresent();
    }

    // ---- waits ----

    /** Waits until exactly {@code owner} serves, as every layer sees it. */
    void awaitServing(String owner, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(20))
                .until(() -> observer.servingFrom(owner));
    }

    /**
     * Waits until {@code owner} has served steadily for {@code d} (bounded), as every layer sees it
     * (leniently: {@link LabObserver#stillServingFrom}). The monitor scenarios wait two check intervals
     * so that the monitor has checked a running nginx before they kill it: the first check of a fresh
     * daemon is slow (docs/lab.md, "Other observations").
     */
    void awaitSteady(String owner, Duration d) {
        await("served steadily from " + owner).during(d).atMost(d.plusSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> observer.stillServingFrom(owner));
    }

    /**
     * Fails on any S1 violation the observer saw (both probe ports open in one round) and on observer
     * errors; with {@code -Dlab.strict=false}, violations in the instant after a SIGCONT are only
     * reported: see {@link #inResumeWindow}.
     */
    void assertNoViolations() {
        List<String> failing = new ArrayList<>();
        for (LabObserver.Line l : observer.violationLines()) {
            if (!STRICT && l.kind().equals("S1") && inResumeWindow(l.t())) {
                String known = "lab KNOWN BUG (S1 right after SIGCONT of the old owner, see docs/lab.md): " + l.raw() + " in " + dir;
                System.out.println(known);
                note(known);
            } else {
                failing.add(l.raw());
            }
        }
        if (!failing.isEmpty()) {
            throw new AssertionError("S1 violated (both probe ports open) or the observer failed:\n"
                    + String.join("\n", failing.subList(0, Math.min(20, failing.size()))) + "\nsee " + dir);
        }
    }

    // ---- teardown ----

    @Override
    public void close() {
        try {
            if (observer != null) {
                observer.close();
            }
            if (options.monitorView() && observer != null) {
                // The observer saw every event as it was committed: no batonctl run (a JVM start) needed.
                StringBuilder b = new StringBuilder();
                for (LabObserver.Event e : observer.events()) {
                    b.append(String.format(Locale.ROOT, "%s  %-15s %-8s epoch %d  %s  (observer at %.3f)%n",
                            java.time.Instant.ofEpochMilli(e.wallMs()), e.kind(), e.node(), e.epoch(), e.message(), e.t()));
                }
                Files.writeString(dir.resolve("events.log"), b);
            } else if (nodes.values().stream().filter(Process::isAlive).count() >= 2) {
                CtlRun events = batonctl("--timeout", "3s", "events", "--last", "200");
                Files.writeString(dir.resolve("events.log"), events.out());
            }
            // Accept-queue overflows (dropped SYNs) on the probe port, for reading a failed check afterwards.
            for (Host h : List.of(Host.SERVER1, Host.SERVER2)) {
                Sh.Result r = lab.exec(Duration.ofSeconds(5), h, "nstat", "-asz", "TcpExtListenOverflows", "TcpExtListenDrops");
                Files.writeString(dir.resolve("logs").resolve("nstat-" + h.id + ".txt"), r.out());
            }
        } catch (Exception e) {
            // diagnostics only
        } finally {
            for (Process p : nodes.values()) {
                if (p.isAlive()) {
                    Sh.run(Duration.ofSeconds(5), List.of("kill", "-CONT", Long.toString(p.pid())));
                    p.destroyForcibly();
                }
            }
            // Every node gone before lab.close kills the rest of its namespace: a node is the last
            // process of its mount namespace only while its holder (MountNamespaceHolder) lives, and an
            // owner that is the last one cannot end (docs/mirror.md, "A helper process").
            nodes.forEach((id, p) -> awaitEnd(id, p));
            if (haproxy != null) {
                haproxy.destroyForcibly();
            }
            // Kills whatever else runs in the namespaces (nginx masters and workers) and deletes them.
            lab.close();
            try {
                Files.deleteIfExists(haproxySocket);
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    /**
     * Waits for a killed node to end. One that does not is stuck in the kernel, and every later
     * {@code losetup} on this machine would wait for it too: said loudly, and its FUSE connections
     * with waiting requests aborted so that the tests after this one run on a sound machine.
     */
    private static void awaitEnd(String id, Process p) {
        try {
            if (p.waitFor(15, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        System.err.println("lab: " + id + " (pid " + p.pid() + ") did not end within 15 s of SIGKILL: aborting stuck FUSE connections");
        Path connections = Path.of("/sys/fs/fuse/connections");
        if (!Sh.run("sh", "-c", "mountpoint -q " + connections + " || mount -t fusectl fusectl " + connections).ok()) {
            return;
        }
        try (var list = Files.list(connections)) {
            for (Path c : list.toList()) {
                if (!Files.readString(c.resolve("waiting")).trim().equals("0")) {
                    Files.writeString(c.resolve("abort"), "1");
                }
            }
        } catch (IOException e) {
            System.err.println("lab: could not abort FUSE connections: " + e);
        }
    }

    String summaryLine() {
        LabObserver.Line s = observer == null ? null : observer.summary();
        return s == null ? "observer: no summary" : s.raw();
    }

    /** Writes the lines to {@code target/lab-runs/outages.tsv} too, for the docs' table. */
    void recordOutage(String scenario, double outageMs, String extra) {
        String line = String.format(Locale.ROOT, "lab outage: scenario=%s outage_ms=%.0f lease_ms=%d haproxy=%s%s",
                scenario, outageMs, LEASE.toMillis(), HAPROXY_SETTINGS, extra.isEmpty() ? "" : " " + extra);
        System.out.println(line);
        note(line);
        try {
            Path tsv = dir.getParent().resolve("outages.tsv");
            Files.writeString(tsv, String.format(Locale.ROOT, "%s\t%.0f\t%s\t%s%n", scenario, outageMs, dir.getFileName(), extra),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the printed line is what counts
        }
    }
}
