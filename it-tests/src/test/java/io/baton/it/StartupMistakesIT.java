package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.PemFiles;
import io.baton.proto.admin.StatusRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Start-up mistakes an operator makes: each ends the node at once with a non-zero exit status and one
 * line on stderr naming what is wrong and what to do, and no stack trace anywhere in its output.
 * Each node is a real {@code NodeMain} process, started as {@link LocalCluster} starts its members.
 */
class StartupMistakesIT {
    /** A mistake is found before anything starts: the JVM's start-up and Ratis's shutdown are most of it. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

    private LocalCluster cluster;
    private final List<Process> started = new ArrayList<>();

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private LocalCluster cluster(String name, String subnet) throws IOException {
        Path dir = Path.of("target", "it-runs", "startup-" + name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        cluster = new LocalCluster(dir, subnet, Duration.ofMillis(250), Duration.ofSeconds(3));
        return cluster;
    }

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
        if (cluster != null) {
            cluster.close();
        }
    }

    private Process start(Path config, String node, Path dataDir, Path out, Path err) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "io.baton.node.NodeMain", "--config", config.toString(), "--node", node,
                "--data-dir", dataDir.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(p);
        return p;
    }

    /** Starts the node and waits for it to exit; fails if it is still running after {@link #EXIT_WITHIN}. */
    private Run runToExit(Path config, String node, Path dataDir) throws Exception {
        Path logs = cluster.configFile().resolveSibling("logs");
        Path out = logs.resolve(node + "-mistake.out");
        Path err = logs.resolve(node + "-mistake.err");
        Process p = start(config, node, dataDir, out, err);
        boolean exited = p.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(exited, "the node is still running after " + EXIT_WITHIN + ":\n" + stdout + stderr);
        return new Run(p.exitValue(), stdout, stderr);
    }

    /** One line on stderr, containing every key phrase; no stack trace or exception name anywhere. */
    private static void assertOneClearLine(Run r, String... phrases) {
        assertNotEquals(0, r.exit(), r.all());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "stderr:\n" + r.err() + "stdout:\n" + r.out());
        for (String phrase : phrases) {
            assertTrue(lines.get(0).contains(phrase), "'" + phrase + "' missing from: " + lines.get(0));
        }
        for (String line : r.all().lines().toList()) {
            assertFalse(line.contains("Exception") || line.strip().startsWith("at ") || line.contains("TRACE"),
                    "a stack trace in the output:\n" + r.all());
        }
    }

    private static ServerSocket occupy(String ip, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
        return s;
    }

    @Test
    void raftPortInUse() throws Exception {
        cluster("raft-port", "127.0.61");
        String ip = cluster.member("server1").ip();
        try (ServerSocket ignored = occupy(ip, 7400)) {
            Run r = runToExit(cluster.configFile(), "server1", cluster.configFile().resolveSibling("data/server1"));
            assertOneClearLine(r, "cannot listen on raft " + ip + ":7400: address already in use");
        }
    }

    @Test
    void adminPortInUse() throws Exception {
        cluster("admin-port", "127.0.62");
        String ip = cluster.member("server1").ip();
        try (ServerSocket ignored = occupy(ip, 7401)) {
            Run r = runToExit(cluster.configFile(), "server1", cluster.configFile().resolveSibling("data/server1"));
            assertOneClearLine(r, "cannot listen on admin " + ip + ":7401: address already in use");
        }
    }

    /** Starts server1 on its own data directory until its admin API answers, then kills it. */
    private void runOnceAndKill(String node) throws Exception {
        cluster.start(node);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreException(
                StatusRuntimeException.class).until(() -> cluster.admin(node).status(StatusRequest.getDefaultInstance()) != null);
        cluster.kill(node);
    }

    @Test
    void dataDirectoryOfARenamedCluster() throws Exception {
        cluster("renamed", "127.0.63");
        Path data = cluster.configFile().resolveSibling("data/server1");
        runOnceAndKill("server1");
        String yaml = Files.readString(cluster.configFile());
        Path renamed = cluster.configFile().resolveSibling("renamed.yaml");
        Files.writeString(renamed, yaml.replace("name: it-127-0-63", "name: shop"));
        assertNotEquals(yaml, Files.readString(renamed));

        Run r = runToExit(renamed, "server1", data);
        assertOneClearLine(r, "data directory " + data, "cluster 'it-127-0-63'", "not of cluster 'shop'",
                "--data-dir", "remove");
        assertTrue(Files.isDirectory(data.resolve("raft")), "the other cluster's log is left as it was");
    }

    @Test
    void dataDirectoryOfAnotherNode() throws Exception {
        cluster("other-node", "127.0.64");
        Path data = cluster.configFile().resolveSibling("data/server1");
        runOnceAndKill("server1");

        Run r = runToExit(cluster.configFile(), "server2", data);
        assertOneClearLine(r, "data directory " + data, "node server1", "server2", "--data-dir");
    }

    /** A cluster file whose tls block gives server1 the certificate of server2: refused before anything starts. */
    @Test
    void certificateOfAnotherNode() throws Exception {
        cluster("tls-identity", "127.0.69");
        Path tls = cluster.configFile().resolveSibling("tls");
        Files.createDirectories(tls);
        CertificateAuthority ca = CertificateAuthority.create("it", Duration.ofDays(10), Instant.now());
        PemFiles.writeCertificate(tls.resolve("ca.crt"), ca.ca().certificate());
        PemFiles.write(tls, "server2", ca.issueNode("server2", List.of(cluster.member("server2").ip()), Duration.ofDays(10),
                Instant.now()));
        String yaml = Files.readString(cluster.configFile());
        Path withTls = cluster.configFile().resolveSibling("tls.yaml");
        String tlsLine = "  tls: {ca: tls/ca.crt, cert: tls/server2.crt, key: tls/server2.key}\n";
        Files.writeString(withTls, yaml.replaceFirst("(?m)^  tls: .*\\n", "").replaceFirst("(?m)^cluster:\\s*\\n",
                "cluster:\n" + tlsLine));
        assertTrue(Files.readString(withTls).contains(tlsLine), Files.readString(withTls));

        Run r = runToExit(withTls, "server1", cluster.configFile().resolveSibling("data/server1"));
        assertOneClearLine(r, tls.resolve("server2.crt") + ": is the certificate of node 'server2', not of 'server1'");
        assertEquals(1, r.exit());
    }
}
