package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 4: the release tarball ({@code dist/target/baton-VERSION.tar.gz}, built by
 * {@code mvn package}) is unpacked into an empty directory and runs a cluster with nothing but a
 * Java runtime: PATH holds one directory with {@code java} in it, no JAVA_HOME, no Maven. Its own
 * {@code batonctl certs init} makes the certificates, its {@code baton-node} starts three nodes with
 * TLS, and its {@code batonctl} sees the group online and moves it.
 */
class DistIT {
    static final String SUBNET = "127.0.87";
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final List<String> NODES = List.of("server1", "server2", "witness");

    Path dir;
    Path home;
    Map<String, String> env;
    final List<Process> nodes = new ArrayList<>();

    @BeforeEach
    void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("baton.home", ".."), "dist", "target",
                "baton-" + System.getProperty("baton.version", "0.1.0-SNAPSHOT") + ".tar.gz").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(tarball), tarball + " is missing: 'mvn -B package' (or verify) builds it");
        dir = RunDirs.fresh("dist");
        Files.createDirectories(dir.resolve("unpacked"));
        run(List.of("tar", "-xzf", tarball.toString(), "-C", dir.resolve("unpacked").toString()), Map.of(), 60);
        try (var entries = Files.list(dir.resolve("unpacked"))) {
            List<Path> top = entries.toList();
            assertEquals(1, top.size(), "one top directory in the tarball: " + top);
            home = top.get(0);
        }
        for (String f : List.of("bin/baton-node", "bin/batonctl", "README", "config/aws-nlb.yaml",
                "config/baton-node.service", "config/baton-witness.service", "docs/metrics.md")) {
            assertTrue(Files.exists(home.resolve(f)), f + " in the tarball");
        }
        assertTrue(Files.isExecutable(home.resolve("bin/baton-node")));
        // PATH: a directory with java and nothing else.
        Path javaOnly = Files.createDirectories(dir.resolve("java-only"));
        Files.createSymbolicLink(javaOnly.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        env = Map.of("PATH", javaOnly.toString(), "HOME", dir.toString());
    }

    @AfterEach
    void stop() {
        nodes.forEach(Process::destroyForcibly);
    }

    @Test
    void theTarballRunsAClusterWithJavaAlone() throws Exception {
        Path config = dir.resolve("cluster.yaml");
        Path app = Files.createDirectories(dir.resolve("app"));
        StringBuilder yaml = new StringBuilder("cluster:\n  name: dist-it\n  heartbeat_interval: 250ms\n  lease: 3s\n"
                + "  tls: {ca: tls/ca.crt, cert: 'tls/${node}.crt', key: 'tls/${node}.key'}\nnodes:\n");
        for (int i = 0; i < NODES.size(); i++) {
            String ip = SUBNET + "." + (11 + i);
            yaml.append("  - {id: ").append(NODES.get(i)).append(", role: ").append(i < 2 ? "data" : "witness")
                    .append(", raft: ").append(ip).append(":7400, admin: ").append(ip).append(":7401, http: ")
                    .append(ip).append(":7403}\n");
        }
        // The scripts use shell built-ins only: the nodes' PATH has java alone.
        yaml.append("groups:\n  - name: web\n    nodes: [server1, server2]\n    resources:\n")
                .append("      - {type: exec, name: app, start: 'echo $BATON_NODE >> ").append(app)
                .append("/starts', stop: 'true', timeout: 1s}\n")
                .append("      - {type: probe_port, name: nlb-probe, port: 12345}\n");
        Files.writeString(config, yaml);

        String init = ctl(List.of("certs", "init", "--config", config.toString(), "--out", dir.resolve("tls").toString()));
        assertFalse(init.contains("building"), init);
        ctl(List.of("certs", "issue", "--name", "ops", "--role", "operator", "--ca-dir", dir.resolve("tls").toString(),
                "--out", dir.resolve("tls").toString()));
        for (String node : NODES) {
            ProcessBuilder b = new ProcessBuilder(home.resolve("bin/baton-node").toString(), "--config", config.toString(),
                    "--node", node, "--data-dir", dir.resolve("data").resolve(node).toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve(node + ".log").toFile())
                    .directory(dir.toFile());
            b.environment().clear();
            b.environment().putAll(env);
            nodes.add(b.start());
        }
        List<String> admin = List.of("--ca", dir.resolve("tls/ca.crt").toString(), "--cert", dir.resolve("tls/ops.crt").toString(),
                "--key", dir.resolve("tls/ops.key").toString(), "--endpoint",
                SUBNET + ".11:7401," + SUBNET + ".12:7401," + SUBNET + ".13:7401");
        await("web online on server1, as the tarball's batonctl says").atMost(STARTUP).pollInterval(Duration.ofSeconds(1))
                .until(() -> statusLine(admin).matches("web\\s+server1\\s+\\d+\\s+online.*"));
        List<String> move = new ArrayList<>(admin);
        move.addAll(List.of("move", "web", "--to", "server2", "--wait"));
        ctl(move);
        assertTrue(statusLine(admin).matches("web\\s+server2\\s+\\d+\\s+online.*"), statusLine(admin));
        assertEquals("server1\nserver2\n", Files.readString(app.resolve("starts")));
        for (String node : NODES) {
            String log = Files.readString(dir.resolve(node + ".log"));
            assertFalse(log.contains("building"), log);
        }
    }

    /** The status table's line for group web, or "" if there is none yet. */
    private String statusLine(List<String> admin) {
        List<String> status = new ArrayList<>(admin);
        status.add("status");
        try {
            return ctl(status).lines().filter(l -> l.startsWith("web ")).findFirst().orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    private String ctl(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/batonctl").toString()));
        cmd.addAll(args);
        return run(cmd, env, 60);
    }

    private String run(List<String> cmd, Map<String, String> environment, int seconds) throws Exception {
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        if (!environment.isEmpty()) {
            b.environment().clear();
            b.environment().putAll(new LinkedHashMap<>(environment));
        }
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), cmd + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(cmd + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }
}
