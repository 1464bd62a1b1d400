package io.baton.it;

import static org.awaitility.Awaitility.await;

import io.baton.node.security.CertificateAuthority;
import io.baton.node.config.TlsConfig;
import io.baton.node.security.KeyStores;
import io.baton.node.security.NodeCredentials;
import io.baton.node.security.PemFiles;
import io.baton.node.security.Role;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Baton cluster on loopback: one JVM per node, each on its own 127.x.y.z address so that every
 * node binds the same probe port. The group's exec resource marks the application as running with
 * a file per node. Processes get real signals (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
 */
public final class LocalCluster implements AutoCloseable {
    public static final int PROBE_PORT = 12345;
    public static final String GROUP = "web";

    public record Member(String id, String role, String ip) {}

    private final Path dir;
    private final Path configFile;
    /** The nodes of the cluster file, then any a test adds ({@link #prepareNewNode}). */
    private final List<Member> members;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final Duration lease;
    private final long mirrorSizeBytes;
    /** The cluster's CA, to issue certificates from; null without TLS. */
    private CertificateAuthority ca;
    /** Whether this cluster's file has the {@code tls} block. */
    private final boolean tls;

    /**
     * @param subnet a loopback prefix of three octets, distinct per test class, such as {@code 127.0.21}
     */
    public LocalCluster(Path dir, String subnet, Duration heartbeat, Duration lease) throws IOException {
        this(dir, subnet, heartbeat, lease, 0);
    }

    /**
     * A cluster whose group starts with a mirror disk of {@code mirrorSizeBytes} (none when 0), each
     * node's replica under {@code dir/data/NODE/}, mounted at {@link #mountPoint} on the owner.
     */
    public LocalCluster(Path dir, String subnet, Duration heartbeat, Duration lease, long mirrorSizeBytes)
            throws IOException {
        this(dir, subnet, heartbeat, lease, mirrorSizeBytes, null);
    }

    /**
     * A cluster whose application is a real web server ({@code DemoWebServer}, a JVM of its own, on
     * the node's address, port {@link #APP_PORT}) with {@code monitorYaml} as the exec resource's
     * {@code monitor:} and {@code restart:} entries (a YAML flow-mapping fragment such as
     * {@code "monitor: {type: http, port: 8080}"}); null for the plain script application.
     */
    public LocalCluster(Path dir, String subnet, Duration heartbeat, Duration lease, long mirrorSizeBytes,
                        String monitorYaml) throws IOException {
        this(dir, subnet, heartbeat, lease, mirrorSizeBytes, monitorYaml, TLS);
    }

    /**
     * As above, with the cluster file's {@code tls} block or, {@code tls} false, without it and with
     * {@code insecure: true}, whatever {@link #TLS} says (a benchmark compares both in one run).
     */
    public LocalCluster(Path dir, String subnet, Duration heartbeat, Duration lease, long mirrorSizeBytes,
                        String monitorYaml, boolean tls) throws IOException {
        this.dir = dir;
        this.tls = tls;
        this.mirrorSizeBytes = mirrorSizeBytes;
        this.lease = lease;
        this.members = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
                new Member("server1", "data", subnet + ".11"),
                new Member("server2", "data", subnet + ".12"),
                new Member("witness", "witness", subnet + ".13")));
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("app"));
        // Each script also logs its own run time (begin and end, ns) for the benchmark to subtract.
        Path app = dir.resolve("app");
        String server = monitorYaml == null ? "" : webServer(app);
        Path start = script("app-start.sh", "b=$(date +%s%N)\n" + server + "touch " + app + "/$BATON_NODE.running\n"
                + "echo \"$BATON_GROUP $BATON_NODE $BATON_EPOCH\" >> " + app + "/starts.log\n"
                + "echo \"start $BATON_NODE $BATON_EPOCH $b $(date +%s%N)\" >> " + app + "/scripts.log\n");
        Path stop = script("app-stop.sh", "b=$(date +%s%N)\n" + (monitorYaml == null ? "" : stopServer(app))
                + "rm -f " + app + "/$BATON_NODE.running\n"
                + "echo \"stop $BATON_NODE $BATON_EPOCH $b $(date +%s%N)\" >> " + app + "/scripts.log\n");
        StringBuilder yaml = new StringBuilder()
                .append("cluster:\n  name: it-").append(subnet.replace('.', '-')).append('\n')
                .append("  heartbeat_interval: ").append(heartbeat.toMillis()).append("ms\n")
                .append("  lease: ").append(lease.toMillis()).append("ms\n");
        if (tls) {
            writeCertificates(dir.resolve("tls"));
            yaml.append("  tls: {ca: tls/ca.crt, cert: 'tls/${node}.crt', key: 'tls/${node}.key'}\n");
        } else {
            yaml.append("  insecure: true\n");
        }
        yaml.append("nodes:\n");
        for (Member m : members) {
            yaml.append("  - {id: ").append(m.id).append(", role: ").append(m.role).append(", zone: zone-")
                    .append(m.id).append(", raft: ").append(m.ip).append(":7400, admin: ").append(m.ip).append(":7401")
                    .append(", http: ").append(m.ip).append(':').append(HTTP_PORT);
            if (mirrorSizeBytes > 0 && m.role.equals("data")) {
                yaml.append(", mirror: ").append(m.ip).append(":7402");
            }
            yaml.append("}\n");
        }
        yaml.append("groups:\n  - name: ").append(GROUP).append("\n    nodes: [server1, server2]\n    resources:\n");
        if (mirrorSizeBytes > 0) {
            Path replicas = dir.resolve("data");
            yaml.append("      - {type: mirror_disk, name: md, data: '").append(replicas).append("/${node}/md.img'")
                    .append(", metadata: '").append(replicas).append("/${node}/md.meta', size: ")
                    .append(mirrorSizeBytes).append("B, mount: '").append(dir).append("/mnt/${node}'}\n");
            for (Member m : members) {
                if (m.role.equals("data")) {
                    Files.createDirectories(mountPoint(m.id));
                }
            }
        }
        yaml
                .append("      - {type: exec, name: app, start: ").append(start).append(", stop: ").append(stop)
                .append(", timeout: 10s").append(monitorYaml == null ? "" : ", " + monitorYaml).append("}\n")
                .append("      - {type: probe_port, name: nlb-probe, port: ").append(PROBE_PORT).append("}\n");
        configFile = dir.resolve("cluster.yaml");
        Files.writeString(configFile, yaml);
    }

    /**
     * Whether clusters run with the cluster file's {@code tls} block (the default; {@code -Dbaton.it.tls=false}
     * runs them without, e.g. to compare in a benchmark).
     */
    public static final boolean TLS = !"false".equals(System.getProperty("baton.it.tls"));

    /** A CA and a certificate per member, as {@code batonctl certs init} makes them. */
    private void writeCertificates(Path tls) throws IOException {
        Files.createDirectories(tls);
        ca = CertificateAuthority.create("it", Duration.ofDays(2), Instant.now());
        PemFiles.write(tls, "ca", ca.ca());
        for (Member m : members) {
            PemFiles.write(tls, m.id, ca.issueNode(m.id, List.of(m.ip), Duration.ofDays(2), Instant.now()));
        }
        issueOperator(ADMIN_CERT, Role.ADMIN);
    }

    /** The cluster's CA (null without TLS), to issue certificates a test needs. */
    public CertificateAuthority certificateAuthority() {
        return ca;
    }

    /** The operator certificate the tests' own admin calls and batonctl runs use (role admin). */
    public static final String ADMIN_CERT = "it-admin";

    /** Writes {@code tls/NAME.crt} and {@code tls/NAME.key}, an operator certificate of this cluster's CA. */
    public void issueOperator(String name, Role role) throws IOException {
        PemFiles.write(dir.resolve("tls"), name, ca.issueOperator(name, role, Duration.ofDays(2), Instant.now()));
    }

    /** The TLS files of a certificate in {@code tls/} ({@code NAME.crt}, {@code NAME.key}) with the CA. */
    public TlsConfig.Files tlsFiles(String name) {
        Path tls = dir.resolve("tls");
        return new TlsConfig.Files(tls.resolve("ca.crt"), tls.resolve(name + ".crt"), tls.resolve(name + ".key"));
    }

    /** Appends {@code yaml} (top-level sections such as {@code alerts:}) to the cluster file, before the nodes start. */
    public void appendConfig(String yaml) throws IOException {
        Files.writeString(configFile, Files.readString(configFile) + yaml);
    }

    /** Each node's HTTP port (/metrics, /healthz, /readyz), on its own address. */
    public static final int HTTP_PORT = 7403;

    /** The base URL of {@code node}'s HTTP port: https with TLS. */
    public String httpUrl(String node) {
        return (tls ? "https://" : "http://") + member(node).ip() + ":" + HTTP_PORT;
    }

    /**
     * An HTTP client for the nodes' HTTP ports that trusts the cluster CA and presents certificate
     * {@code name} ({@code null}: none); a plain client without TLS.
     */
    public java.net.http.HttpClient httpClient(String name) {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2));
        if (!tls) {
            return b.build();
        }
        try {
            NodeCredentials c = NodeCredentials.loadAnyIdentity(tlsFiles(name == null ? ADMIN_CERT : name), Instant.now());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(name == null ? null : KeyStores.keyManagers(c.own()), KeyStores.trustManagers(c.trusted()), null);
            return b.sslContext(context).build();
        } catch (io.baton.node.security.CertificateException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A client's credentials for the admin port with certificate {@code name}: TLS, or plaintext without. */
    public ChannelCredentials adminCredentials(String name) {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        try {
            NodeCredentials c = NodeCredentials.loadAnyIdentity(tlsFiles(name), Instant.now());
            return TlsChannelCredentials.newBuilder().keyManager(KeyStores.keyManagers(c.own()))
                    .trustManager(KeyStores.trustManagers(c.trusted())).build();
        } catch (io.baton.node.security.CertificateException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The environment that gives a batonctl process the tests' admin certificate (empty without TLS). */
    public Map<String, String> ctlEnv() {
        return ctlEnv(ADMIN_CERT);
    }

    /** The environment that gives a batonctl process the certificate {@code name} (empty without TLS). */
    public Map<String, String> ctlEnv(String name) {
        if (!tls) {
            return Map.of();
        }
        TlsConfig.Files f = tlsFiles(name);
        return Map.of("BATON_CA", f.ca().toString(), "BATON_CERT", f.cert().toString(), "BATON_KEY", f.key().toString());
    }

    /**
     * Runs bin/batonctl against server1's admin port with {@code env} (and no BATON_ variable or
     * settings file of the machine): {exit status, stdout, stderr}.
     */
    public String[] batonctl(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("baton.home"), "bin", "batonctl").toString(),
                "--endpoint", member("server1").ip() + ":7401", "--timeout", "5s"));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().keySet().removeIf(k -> k.startsWith("BATON_"));
        builder.environment().put("XDG_CONFIG_HOME", configFile().getParent().resolve("no-settings").toString());
        builder.environment().putAll(env);
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("batonctl " + String.join(" ", args) + " did not end within 60 s");
        }
        return new String[] {String.valueOf(p.exitValue()), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8)};
    }

    /** The port the monitored application listens on. */
    public static final int APP_PORT = 8080;

    /** Start script lines: the web server on the node's own address, in the background; waits until it answers. */
    private String webServer(Path app) {
        StringBuilder ips = new StringBuilder("case \"$BATON_NODE\" in ");
        members.forEach(m -> ips.append(m.id).append(") ip=").append(m.ip).append(";; "));
        ips.append("esac\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ips + "pidfile=" + app + "/$BATON_NODE.pid\n"
                + "if [ -f $pidfile ] && kill -0 $(cat $pidfile) 2>/dev/null; then :; else\n"
                + "  " + java + " -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.baton.node.demo.DemoWebServer $ip " + APP_PORT + " $BATON_NODE > " + app + "/web-$BATON_NODE.log 2>&1 &\n"
                + "  echo $! > $pidfile\n"
                + "  i=0; until bash -c \"exec 3<>/dev/tcp/$ip/" + APP_PORT + "\" 2>/dev/null; do\n"
                + "    i=$((i+1)); [ $i -lt 400 ] || { echo 'web server did not come up'; exit 1; }; sleep 0.05; done\n"
                + "fi\n";
    }

    /** Stop script lines: the web server is killed (TERM, then KILL) and its pid file removed. */
    private static String stopServer(Path app) {
        return "pidfile=" + app + "/$BATON_NODE.pid\n"
                + "if [ -f $pidfile ]; then pid=$(cat $pidfile); kill $pid 2>/dev/null || true\n"
                + "  i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.02; done\n"
                + "  kill -9 $pid 2>/dev/null || true; rm -f $pidfile; fi\n";
    }

    /** The pid of the web server running for {@code node}, if any. */
    public Optional<Long> appPid(String node) {
        Path pidFile = dir.resolve("app").resolve(node + ".pid");
        try {
            return Files.exists(pidFile) ? Optional.of(Long.parseLong(Files.readString(pidFile).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\nset -e\n" + body);
        p.toFile().setExecutable(true);
        return p;
    }

    /** Where {@code node} mounts the mirror disk while it owns the group. */
    /**
     * Makes ready a node that is not in the cluster file yet, as an operator would before
     * {@code batonctl node add} or {@code replace}: its certificate (with TLS), its mount point, and
     * a copy of the cluster file with its own entry added under {@code nodes:}. Returns that copy,
     * to start it with ({@link #start(String, List, Path)}). From then on it counts among {@link #members}.
     */
    public Path prepareNewNode(Member m) throws IOException {
        if (tls) {
            PemFiles.write(dir.resolve("tls"), m.id, ca.issueNode(m.id, List.of(m.ip), Duration.ofDays(2), Instant.now()));
        }
        String entry = "  - {id: " + m.id + ", role: " + m.role + ", zone: zone-" + m.id + ", raft: " + m.ip
                + ":7400, admin: " + m.ip + ":7401, http: " + m.ip + ":" + HTTP_PORT
                + (mirrorSizeBytes > 0 && m.role.equals("data") ? ", mirror: " + m.ip + ":7402" : "") + "}\n";
        String yaml = Files.readString(configFile);
        Path copy = dir.resolve("cluster-" + m.id + ".yaml");
        Files.writeString(copy, yaml.replace("groups:\n", entry + "groups:\n"));
        if (mirrorSizeBytes > 0 && m.role.equals("data")) {
            Files.createDirectories(mountPoint(m.id));
        }
        members.add(m);
        return copy;
    }

    public Path mountPoint(String node) {
        return dir.resolve("mnt").resolve(node);
    }

    /**
     * Skips the calling test, with the reason, unless this machine can run a mirror disk: root (FUSE,
     * loop devices, mount) and the tools for ext4.
     */
    public static void assumeMirrorDisk() {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the mirror disk needs root (FUSE, loop devices, mount)");
        try {
            io.baton.resources.mirror.datapath.Prerequisites.check("ext4");
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort(e.getMessage());
        }
    }

    /** Whether the cluster file has the {@code tls} block. */
    public boolean tls() {
        return tls;
    }

    /** Where the CA ({@code ca.crt}, {@code ca.key}) and each member's {@code NODE.crt}/{@code NODE.key} are, with {@link #tls()}. */
    public Path tlsDir() {
        return dir.resolve("tls");
    }

    public Path configFile() {
        return configFile;
    }

    public Duration lease() {
        return lease;
    }

    public Member member(String id) {
        return members.stream().filter(m -> m.id.equals(id)).findFirst().orElseThrow();
    }

    public List<Member> members() {
        return members;
    }

    public String endpoints() {
        return String.join(",", members.stream().map(m -> m.ip + ":7401").toList());
    }

    public void startAll() throws IOException {
        for (Member m : members) {
            start(m.id);
        }
    }

    public void start(String id) throws IOException {
        start(id, List.of());
    }

    /** Starts {@code id} with extra JVM options, such as {@code -Dbaton.wall_clock_offset_ms=...}. */
    public void start(String id, List<String> jvmOptions) throws IOException {
        start(id, jvmOptions, configFile);
    }

    /** As above, with a cluster file of its own (to test what a node that loaded another file does). */
    public void start(String id, List<String> jvmOptions, Path config) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                "io.baton.node.NodeMain", "--config", config.toString(), "--node", id,
                "--data-dir", dir.resolve("data").resolve(id).toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs").resolve(id + ".log").toFile()))
                .start();
        processes.put(id, p);
    }

    public Process process(String id) {
        return processes.get(id);
    }

    /** SIGKILL: the process dies at once, its sockets close, its application is left as it was. */
    public void kill(String id) throws InterruptedException {
        Process p = processes.get(id);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait: a clean stop. */
    public void terminate(String id) throws InterruptedException {
        Process p = processes.get(id);
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    public void signal(String id, String signal) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(processes.get(id).pid())).start();
        if (k.waitFor() != 0) {
            throw new IOException("kill -" + signal + " failed");
        }
    }

    /** Lines "start|stop NODE EPOCH BEGIN_NS END_NS" written by the exec scripts. */
    public List<String> scriptLog() throws IOException {
        Path log = dir.resolve("app").resolve("scripts.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    public boolean appRunning(String id) {
        return Files.exists(dir.resolve("app").resolve(id + ".running"));
    }

    public List<String> appStarts() throws IOException {
        Path log = dir.resolve("app").resolve("starts.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Whether the node's probe port accepts a TCP connection within 200 ms. */
    public boolean probeOpen(String id) {
        return probeOpen(id, 200);
    }

    /** Whether the node's probe port accepts a TCP connection within {@code timeoutMs}. */
    public boolean probeOpen(String id, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(member(id).ip, PROBE_PORT), timeoutMs);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public BatonAdminGrpc.BatonAdminBlockingStub admin(String id) {
        ManagedChannel ch = channels.computeIfAbsent(id, k ->
                Grpc.newChannelBuilderForAddress(member(k).ip, 7401, adminCredentials(ADMIN_CERT)).build());
        return BatonAdminGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS);
    }

    /**
     * Status from the first live node that answers with the leader's view. A node that answers from its
     * own replica because no leader answered it (a daemon just restarted, still catching up: the answer
     * carries a warning) is used only if no node has the leader's view: its replica may show an owner
     * long gone.
     */
    public Optional<ClusterStatus> status() {
        ClusterStatus ownReplica = null;
        for (Member m : members) {
            Process p = processes.get(m.id);
            if (p == null || !p.isAlive()) {
                continue;
            }
            try {
                ClusterStatus s = admin(m.id).status(StatusRequest.getDefaultInstance());
                if (s.getWarning().isEmpty()) {
                    return Optional.of(s);
                }
                ownReplica = ownReplica == null ? s : ownReplica;
            } catch (StatusRuntimeException e) {
                // try the next node
            }
        }
        return Optional.ofNullable(ownReplica);
    }

    public Optional<GroupStatus> group() {
        return status().flatMap(s -> s.getGroupsList().stream().filter(g -> g.getName().equals(GROUP)).findFirst());
    }

    /** {@code node}'s replica of the group's mirror disk as status shows it (committed state, the owner's view). */
    public Optional<io.baton.proto.admin.ReplicaStatus> replica(String node) {
        return group().flatMap(g -> g.getReplicasList().stream().filter(r -> r.getNode().equals(node)).findFirst());
    }

    /** Waits until {@code node}'s replica of the mirror disk is {@code state} in the committed state. */
    public void awaitReplica(String node, io.baton.proto.ReplicaStateProto state, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> replica(node).map(io.baton.proto.admin.ReplicaStatus::getState).orElse(null), s -> s == state);
    }

    /**
     * Bytes the owner's resyncs have sent to {@code node} so far, from its report in status, once that
     * report (a heartbeat behind the committed state) shows the peer in sync with more than {@code moreThan}.
     */
    public long resyncBytesSentWhenInSync(String node, long moreThan, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> replica(node).filter(r -> r.hasPeer() && r.getPeer().getInSync())
                        .map(r -> r.getPeer().getResyncBytesSent()).orElse(-1L), sent -> sent > moreThan);
    }

    /** Waits until every node is alive in the replicated state and answers on its admin port. */
    public void awaitAllUp(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Member m : members) {
                try {
                    ClusterStatus s = admin(m.id).status(StatusRequest.getDefaultInstance());
                    if (!s.getNodesList().stream().allMatch(n -> n.getAlive())) {
                        return false;
                    }
                } catch (StatusRuntimeException e) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits until the group is online on {@code node}; returns its status. */
    public GroupStatus awaitOnline(String node, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(20))
                .until(() -> group().orElse(null),
                        g -> g != null && g.getOwner().equals(node) && g.getPhase() == PhaseProto.PHASE_ONLINE);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
                } catch (IOException | InterruptedException ignored) {
                    // best effort: a stopped process must be continued to be killed cleanly
                }
                p.destroyForcibly();
            }
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mirrorSizeBytes > 0) {
            MountLeftovers.clear(dir);
        }
        // Web servers the killed daemons left running.
        for (Member m : members) {
            appPid(m.id).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The logs of every node, for a failing test's message. */
    public String logTail(int lines) {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            Path log = dir.resolve("logs").resolve(m.id + ".log");
            try {
                List<String> all = Files.readAllLines(log);
                b.append("---- ").append(m.id).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append("---- ").append(m.id).append(": no log\n");
            }
        }
        return b.toString();
    }
}
