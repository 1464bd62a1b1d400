package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.parse;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void loadsTheExampleWithDefaults() throws ConfigException {
        ClusterConfig c = parse(Yaml.VALID);

        assertNull(c.source());
        assertEquals("web-ha", c.name());
        assertEquals(Duration.ofMillis(250), c.heartbeatInterval());
        assertEquals(Duration.ofSeconds(3), c.lease());
        assertEquals(0.01, c.maxClockDrift());
        assertEquals(Duration.ofMillis(200), c.takeoverMargin());
        assertEquals(Duration.ofSeconds(1), c.stopBudget());
        assertEquals(Duration.ofMillis(300), c.electionTimeout());
        assertEquals(List.of(), c.warnings());

        NodeConfig server1 = new NodeConfig("server1", Role.DATA, "us-east-1a",
                new HostPort("198.18.0.1", 7400), new HostPort("198.18.0.1", 7401));
        NodeConfig server2 = new NodeConfig("server2", Role.DATA, "us-east-1b",
                new HostPort("198.18.0.2", 7400), new HostPort("198.18.0.2", 7401));
        NodeConfig witness = new NodeConfig("witness", Role.WITNESS, "us-east-1c",
                new HostPort("198.18.0.3", 7400), new HostPort("198.18.0.3", 7401));
        assertEquals(List.of(server1, server2, witness), c.nodes());
        assertEquals(List.of(server1, server2), c.dataNodes());
        assertEquals(Optional.of(witness), c.witness());
        assertEquals(Optional.of(server2), c.node("server2"));
        assertEquals(Optional.empty(), c.node("server3"));

        GroupConfig web = new GroupConfig("web", List.of("server1", "server2"), true, List.of(
                new ExecResourceConfig("app", "/etc/baton/app-start.sh", "/etc/baton/app-stop.sh",
                        Duration.ofSeconds(30), Duration.ofSeconds(1), Map.of(), null, null),
                new ProbePortResourceConfig("nlb-probe", 12345, null, ProbeMode.TCP)));
        assertEquals(List.of(web), c.groups());
        assertEquals(Optional.of(web), c.group("web"));
        assertEquals("exec", web.resources().get(0).type());
        assertEquals("probe_port", web.resources().get(1).type());
        assertEquals("198.18.0.2", ((ProbePortResourceConfig) web.resources().get(1)).bindOn(server2));
    }

    @Test
    void readsEveryOptionalField() throws ConfigException {
        ClusterConfig c = parse("""
                cluster:
                  name: db.prod_2
                  heartbeat_interval: 0.5s
                  lease: 5s
                  max_clock_drift: 2.5%
                  takeover_margin: 1s
                  stop_budget: 1.5s
                  election_timeout: 1s
                nodes:
                  - id: a
                    role: data
                    raft: a.internal:7400
                    admin: a.internal:7401
                  - id: b
                    role: data
                    zone: z2
                    raft: "[fd00::2]:7400"
                    admin: "[fd00::2]:7401"
                  - {id: w, role: witness, raft: 10.0.0.3:7400, admin: 10.0.0.3:7401}
                groups:
                  - name: db
                    nodes: [b, a]
                    autostart: false
                    resources:
                      - type: exec
                        name: postgres
                        start: systemctl start postgresql
                        stop: systemctl stop postgresql
                        stop_timeout: 1500ms
                        env: {PGDATA: /var/lib/pg, PORT: "5432", EMPTY: ""}
                      - {type: probe_port, name: probe, port: 8080, bind: 0.0.0.0, mode: http}
                """);
        assertEquals("db.prod_2", c.name());
        assertEquals(Duration.ofMillis(500), c.heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), c.lease());
        assertEquals(0.025, c.maxClockDrift(), 1e-12);
        assertEquals(Duration.ofSeconds(1), c.takeoverMargin());
        assertEquals(Duration.ofMillis(1500), c.stopBudget());
        assertEquals(Duration.ofSeconds(1), c.electionTimeout());
        assertEquals(new NodeConfig("a", Role.DATA, null, new HostPort("a.internal", 7400), new HostPort("a.internal", 7401)),
                c.nodes().get(0));
        assertEquals(new NodeConfig("b", Role.DATA, "z2", new HostPort("fd00::2", 7400), new HostPort("fd00::2", 7401)),
                c.nodes().get(1));
        GroupConfig db = c.groups().get(0);
        assertEquals(List.of("b", "a"), db.nodes());
        assertFalse(db.autostart());
        ExecResourceConfig postgres = (ExecResourceConfig) db.resources().get(0);
        assertEquals(new ExecResourceConfig("postgres", "systemctl start postgresql", "systemctl stop postgresql",
                Duration.ofSeconds(30), Duration.ofMillis(1500), Map.of("PGDATA", "/var/lib/pg", "PORT", "5432", "EMPTY", ""), null, null), postgres);
        assertEquals(List.of("PGDATA", "PORT", "EMPTY"), List.copyOf(postgres.env().keySet()));
        assertEquals(new ProbePortResourceConfig("probe", 8080, "0.0.0.0", ProbeMode.HTTP), db.resources().get(1));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void acceptsClockDriftAsFractionOrPercentage() throws ConfigException {
        assertEquals(0.01, parse(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 1%")).maxClockDrift());
        assertEquals(0.01, parse(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 0.01")).maxClockDrift());
        assertEquals(0.0, parse(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 0")).maxClockDrift());
        assertEquals(0.499, parse(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 49.9%")).maxClockDrift(), 1e-12);
    }

    @Test
    void groupsMayBeLeftOut() throws ConfigException {
        String text = Yaml.VALID.substring(0, Yaml.VALID.indexOf("groups:"));
        assertEquals(List.of(), parse(text).groups());
    }

    @Test
    void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, Yaml.VALID);
        ClusterConfig c = ConfigLoader.load(file);
        assertEquals(file, c.source());
        assertEquals("web-ha", c.name());
        // The hash heartbeats report is of the bytes the loader parsed, not of a second read.
        assertEquals(ConfigFingerprint.of(Files.readAllBytes(file)), c.fingerprint());
        assertEquals(64, c.fingerprint().length());

        Files.writeString(file, valid("port: 12345", "port: 70000"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": groups[0].resources[1].port: must be between 1 and 65535, got 70000", e.getMessage());
        assertEquals(file.toString(), e.source());
        assertEquals("groups[0].resources[1].port", e.location());
        assertEquals("must be between 1 and 65535, got 70000", e.problem());
    }

    @Test
    void reportsUnreadableFiles(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertEquals(missing + ": file not found",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(missing)).getMessage());
        assertEquals(dir + ": is a directory, not a cluster file",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(dir)).getMessage());
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(latin1));
        assertEquals(latin1 + ": not valid UTF-8 text", e.getMessage());
        assertNull(e.location());
    }

    @Test
    void theAwsNlbExampleLoadsCleanly() throws ConfigException {
        ClusterConfig c = ConfigLoader.load(Path.of("../config/aws-nlb.yaml"));
        assertEquals(List.of(), c.warnings());
        assertEquals(List.of("server1", "server2"), c.dataNodes().stream().map(NodeConfig::id).toList());
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), c.nodes().stream().map(NodeConfig::zone).toList());
        assertEquals("witness", c.witness().orElseThrow().id());
        GroupConfig web = c.group("web").orElseThrow();
        assertEquals(List.of("server1", "server2"), web.nodes());
        assertTrue(web.autostart());
        assertEquals(3, web.resources().size());
        assertEquals(new MirrorDiskResourceConfig("site", "/dev/nvme1n1", "/var/lib/baton/site.meta", 20L << 30,
                "/srv/www", "ext4", 200L << 20), web.resources().get(0));
        assertTrue(web.hasMirrorDisk());
        assertEquals(new HostPort("10.0.1.10", 7402), c.node("server1").orElseThrow().mirror());
        ExecResourceConfig nginx = (ExecResourceConfig) web.resources().get(1);
        assertEquals("nginx", nginx.name());
        assertTrue(nginx.start().contains("nginx"));
        assertEquals(new MonitorConfig(MonitorType.HTTP, null, 80, "/", null, null, null, Duration.ofSeconds(1),
                Duration.ofMillis(500), 2, Duration.ZERO), nginx.monitor());
        assertEquals(new RestartPolicy(2, Duration.ofMinutes(10)), nginx.restart());
        assertEquals(new ProbePortResourceConfig("nlb-probe", 12345, null, ProbeMode.TCP), web.resources().get(2));
    }

    @Test
    void theExampleInTheDocsLoads() throws Exception {
        String doc = Files.readString(Path.of("../docs/configuration.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        ClusterConfig c = parse(doc.substring(start, doc.indexOf("```", start)));
        ExecResourceConfig app = (ExecResourceConfig) c.group("web").orElseThrow().resources().get(1);
        assertEquals(MonitorType.HTTP, app.monitor().type());
        assertEquals(new RestartPolicy(2, Duration.ofMinutes(10)), app.restart());
        assertEquals(2, c.alerts().size());
        assertEquals(AlertConfig.Type.WEBHOOK, c.alerts().get(1).type());
        assertEquals(7403, c.node("witness").orElseThrow().http().port());
    }

    @Test
    void modelIsImmutable() throws ConfigException {
        ClusterConfig c = parse(Yaml.VALID);
        assertThrows(UnsupportedOperationException.class, () -> c.nodes().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.groups().get(0).resources().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.warnings().add("x"));
        ExecResourceConfig app = (ExecResourceConfig) c.groups().get(0).resources().get(0);
        assertThrows(UnsupportedOperationException.class, () -> app.env().put("A", "b"));
    }

    @Test
    void yamlSyntaxErrorsNameTheLineAndColumn() {
        assertEquals("cluster.yaml: line 5, column 8: duplicate key 'lease'",
                error(valid("lease: 3s", "lease: 3s\n  lease: 4s")));
        assertEquals("cluster.yaml: line 3, column 1: found character '\\t(TAB)' that cannot start any token."
                        + " (Do not use \\t(TAB) for indentation)",
                error(valid("  heartbeat_interval", "\theartbeat_interval")));
        assertEquals("cluster.yaml: line 7, column 6: expected ',' or ']', but got :"
                        + " (while parsing a flow sequence started on line 6)",
                error("""
                        cluster:
                          name: x
                          heartbeat_interval: 1s
                          lease: 4s
                        nodes:
                          - [server1
                          - x: y
                        """));
        assertEquals("cluster.yaml: line 10, column 1: found a second YAML document (after ---); a cluster file holds exactly one",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("groups:")) + "---\ncluster: {}\n"));
    }

    @Test
    void yamlNestedTooDeepNamesTheLineAndColumnWhereTheLimitIsCrossed() {
        // 2000 nested flow lists on line 3, and 2000 nested block lists (one per line).
        String flow = "cluster:\n  name: x\nnodes: " + "[".repeat(2000) + "]".repeat(2000) + "\n";
        assertEquals("cluster.yaml: line 3, column 72: YAML nested more than 64 levels deep"
                + " (lists and mappings); a cluster file needs fewer than 10", error(flow));
        StringBuilder block = new StringBuilder("cluster:\n  name: x\nnodes:\n");
        for (int i = 1; i <= 2000; i++) {
            block.append("  ".repeat(i)).append("-\n");
        }
        String message = error(block.toString());
        assertTrue(message.matches("cluster\\.yaml: line \\d+, column \\d+: YAML nested more than 64 levels deep.*"),
                message);
    }

    @Test
    void syntaxErrorMessagesAreOneLineWithoutParserInternals() {
        for (String text : List.of("a: [1, 2\nb: 3\n", "a:\n  b: 1\n c: 2\n", "a: \"x\n", "a: b: c\n", "a: .nan\n")) {
            String message = error(text);
            assertTrue(message.startsWith("cluster.yaml: line "), message);
            assertFalse(message.contains("\n"), message);
            for (String internal : List.of("jackson", "snakeyaml", "Exception", "reader", "Source")) {
                assertFalse(message.contains(internal), message);
            }
        }
    }

    @Test
    void fileLevelProblems() {
        assertEquals("cluster.yaml: file is empty; expected the sections cluster, nodes and groups", error(""));
        assertEquals("cluster.yaml: file is empty; expected the sections cluster, nodes and groups", error("# nothing\n"));
        assertEquals("cluster.yaml: must be a mapping with the sections cluster, nodes and groups, got a list",
                error("- cluster\n"));
        assertEquals("cluster.yaml: must be a mapping with the sections cluster, nodes and groups, got string 'hello'",
                error("hello\n"));
    }
}
