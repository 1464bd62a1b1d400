package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.parse;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors in resources, their order within a group, and probe ports clashing across groups. */
class ResourceValidationTest {

    private static final String APP =
            "{type: exec, name: app, start: /etc/baton/app-start.sh, stop: /etc/baton/app-stop.sh, stop_timeout: 1s, timeout: 30s}";
    private static final String PROBE = "{type: probe_port, name: nlb-probe, port: 12345}";

    /** A second group on the same nodes, with its own probe port resource (given in flow style). */
    private static String withApiGroup(String nodes, String probe) {
        return Yaml.VALID + """
                  - name: api
                    nodes: %s
                    resources:
                      - {type: exec, name: api, start: /bin/api-start, stop: /bin/api-stop}
                      - %s
                """.formatted(nodes, probe);
    }

    @Test
    void typeMustBeKnown() {
        assertEquals("cluster.yaml: groups[0].resources[0].type: unknown resource type 'docker'; known types: exec,"
                + " mirror_disk, probe_port", error(valid("{type: exec, name: app", "{type: docker, name: app")));
        assertEquals("cluster.yaml: groups[0].resources[0].type: required field is missing",
                error(valid("{type: exec, name: app", "{name: app")));
        assertEquals("cluster.yaml: groups[0].resources[0]: must be a mapping of keys to values, got string 'app'",
                error(valid(APP, "app")));
    }

    @Test
    void stopTimeoutMustBeAPositiveDuration() {
        assertEquals("cluster.yaml: groups[0].resources[0].stop_timeout: must be positive, got 0s",
                error(valid("stop_timeout: 1s", "stop_timeout: 0s")));
        assertEquals("cluster.yaml: groups[0].resources[0].stop_timeout: must be a duration with a unit, e.g. 250ms or 3s, got number 5",
                error(valid("stop_timeout: 1s", "stop_timeout: 5")));
    }

    @Test
    void unknownKeysDependOnType() {
        assertEquals("cluster.yaml: groups[0].resources[0].port: unknown key 'port'; allowed keys: type, name, start,"
                + " stop, timeout, stop_timeout, env, monitor, restart", error(valid("timeout: 30s}", "timeout: 30s, port: 80}")));
        assertEquals("cluster.yaml: groups[0].resources[1].host: unknown key 'host'; allowed keys: type, name, port,"
                + " bind, mode", error(valid("port: 12345}", "port: 12345, host: 0.0.0.0}")));
        assertEquals("cluster.yaml: groups[0].resources[1].binds: unknown key 'binds' (did you mean 'bind'?);"
                + " allowed keys: type, name, port, bind, mode", error(valid("port: 12345}", "port: 12345, binds: x}")));
    }

    @Test
    void execFields() {
        String at = "cluster.yaml: groups[0].resources[0].";
        assertEquals(at + "name: required field is missing", error(valid("name: app, ", "")));
        assertEquals(at + "start: required field is missing", error(valid(" start: /etc/baton/app-start.sh,", "")));
        assertEquals(at + "stop: required field is missing", error(valid(" stop: /etc/baton/app-stop.sh,", "")));
        assertEquals(at + "stop: has no value", error(valid("stop: /etc/baton/app-stop.sh", "stop: ''")));
        assertEquals(at + "stop: must not be blank", error(valid("stop: /etc/baton/app-stop.sh", "stop: ' '")));
        assertEquals(at + "timeout: must be a duration with a unit, e.g. 250ms or 3s, got number 30",
                error(valid("timeout: 30s", "timeout: 30")));
        assertEquals(at + "timeout: must be positive, got 0s", error(valid("timeout: 30s", "timeout: 0s")));
        assertEquals(at + "name: must contain only letters, digits, '.', '_' and '-', got 'my app'",
                error(valid("name: app", "name: my app")));
    }

    @Test
    void execTimeoutsDefaultTo30s() throws ConfigException {
        ClusterConfig c = parse(valid(", stop_timeout: 1s, timeout: 30s}", "}"));
        assertEquals(new ExecResourceConfig("app", "/etc/baton/app-start.sh", "/etc/baton/app-stop.sh",
                Duration.ofSeconds(30), Duration.ofSeconds(30), Map.of(), null, null), c.groups().get(0).resources().get(0));
        ClusterConfig timeoutOnly = parse(valid(", stop_timeout: 1s, timeout: 30s}", ", timeout: 5s}"));
        assertEquals(Duration.ofSeconds(5), ((ExecResourceConfig) timeoutOnly.groups().get(0).resources().get(0)).stopTimeout(),
                "the stop's timeout follows timeout");
    }

    @Test
    void execEnv() {
        String at = "cluster.yaml: groups[0].resources[0].env";
        assertEquals(at + ".PORT: must be a string, got number 8080; put the value in quotes",
                error(valid("timeout: 30s}", "timeout: 30s, env: {PORT: 8080}}")));
        assertEquals(at + ".DEBUG: must be a string, got boolean true; put the value in quotes",
                error(valid("timeout: 30s}", "timeout: 30s, env: {DEBUG: yes}}")));
        assertEquals(at + ".1X: '1X' is not a valid environment variable name; use letters, digits and '_',"
                + " not starting with a digit", error(valid("timeout: 30s}", "timeout: 30s, env: {1X: a}}")));
        assertEquals(at + ".BATON_NODE: names starting with BATON_ are reserved: Baton sets BATON_GROUP, BATON_NODE,"
                + " BATON_EPOCH and BATON_RESOURCE itself",
                error(valid("timeout: 30s}", "timeout: 30s, env: {BATON_NODE: x}}")));
        assertEquals(at + ": must be a mapping of keys to values, got a list",
                error(valid("timeout: 30s}", "timeout: 30s, env: [A=b]}")));
    }

    @Test
    void probePortFields() throws ConfigException {
        String at = "cluster.yaml: groups[0].resources[1].";
        assertEquals(at + "port: must be between 1 and 65535, got 70000", error(valid("port: 12345", "port: 70000")));
        assertEquals(at + "port: must be between 1 and 65535, got 0", error(valid("port: 12345", "port: 0")));
        assertEquals(at + "port: must be between 1 and 65535, got 99999999999999999999",
                error(valid("port: 12345", "port: 99999999999999999999")));
        assertEquals(at + "port: must be a whole number, got string '12345'", error(valid("port: 12345", "port: '12345'")));
        assertEquals(at + "port: must be a whole number, got number 123.5", error(valid("port: 12345", "port: 123.5")));
        assertEquals(at + "port: required field is missing", error(valid(", port: 12345", "")));
        assertEquals(at + "mode: must be tcp or http, got 'udp'", error(valid("port: 12345}", "port: 12345, mode: udp}")));
        assertEquals(at + "bind: '300.1.1.1' is not a valid IPv4 address",
                error(valid("port: 12345}", "port: 12345, bind: 300.1.1.1}")));
        assertEquals(at + "bind: 'no such host' is not a valid host name",
                error(valid("port: 12345}", "port: 12345, bind: no such host}")));

        assertEquals(new ProbePortResourceConfig("nlb-probe", 12345, "fd00::1", ProbeMode.TCP),
                parse(valid("port: 12345}", "port: 12345, bind: '[fd00::1]'}")).groups().get(0).resources().get(1));
        assertEquals(new ProbePortResourceConfig("nlb-probe", 12345, "fd00::1", ProbeMode.TCP),
                parse(valid("port: 12345}", "port: 12345, bind: 'fd00::1', mode: tcp}")).groups().get(0).resources().get(1));
    }

    @Test
    void namesAreUniqueWithinAGroupOnly() throws ConfigException {
        assertEquals("cluster.yaml: groups[0].resources[1].name: duplicate resource name 'app' in group 'web',"
                + " also used by groups[0].resources[0]", error(valid("name: nlb-probe", "name: app")));
        // The same resource name in another group is fine.
        ClusterConfig c = parse(withApiGroup("[server1, server2]", "{type: probe_port, name: nlb-probe, port: 12346}"));
        assertEquals(List.of("web", "api"), c.groups().stream().map(GroupConfig::name).toList());
    }

    @Test
    void probePortMustBeLast() {
        assertEquals("cluster.yaml: groups[0].resources[0]: probe_port 'nlb-probe' must be the last resource,"
                + " so that it opens only after everything else is up",
                error(valid(APP + "\n      - " + PROBE, PROBE + "\n      - " + APP)));
    }

    @Test
    void atMostOneProbePortPerGroup() {
        assertEquals("cluster.yaml: groups[0].resources[2]: group 'web' already has probe_port 'nlb-probe' at"
                + " groups[0].resources[1]; a group may have at most one probe_port",
                error(valid(PROBE, PROBE + "\n      - {type: probe_port, name: other, port: 12346}")));
    }

    @Test
    void probePortsOfGroupsSharingANodeMustNotClash() {
        assertEquals("cluster.yaml: groups[1].resources[1].port: port 12345 on node 'server1' (bind defaults to the"
                        + " node's raft host 198.18.0.1) is also used by groups[0].resources[1], probe_port 'nlb-probe'"
                        + " of group 'web'",
                error(withApiGroup("[server2, server1]", "{type: probe_port, name: api-probe, port: 12345}")));
        assertEquals("cluster.yaml: groups[1].resources[0].port: port 12345 on node 'server2' (bind 10.1.1.1)"
                        + " is also used by groups[0].resources[1], probe_port 'nlb-probe' of group 'web'",
                error(valid(PROBE, "{type: probe_port, name: nlb-probe, port: 12345, bind: 10.1.1.1}") + """
                          - name: api
                            nodes: [server2]
                            resources:
                              - {type: probe_port, name: p, port: 12345, bind: 10.1.1.1}
                        """));
        assertEquals("cluster.yaml: groups[1].resources[1].port: port 12345 on node 'server1' (bind 0.0.0.0) is also"
                        + " used by groups[0].resources[1], probe_port 'nlb-probe' of group 'web'",
                error(withApiGroup("[server1]", "{type: probe_port, name: p, port: 12345, bind: 0.0.0.0}")));
        assertEquals("cluster.yaml: groups[1].resources[1].port: port 12345 on node 'server1' (bind 198.18.0.1) is"
                        + " also used by groups[0].resources[1], probe_port 'nlb-probe' of group 'web'",
                error(withApiGroup("[server1]", "{type: probe_port, name: p, port: 12345, bind: 198.18.0.1}")));
    }

    @Test
    void probePortsMayRepeatWhereTheyCannotMeet() throws ConfigException {
        // Another port, or another address on the same node.
        parse(withApiGroup("[server1, server2]", "{type: probe_port, name: p, port: 12346}"));
        parse(withApiGroup("[server1, server2]", "{type: probe_port, name: p, port: 12345, bind: 127.0.0.1}"));
        // Groups without a common node never run a probe on the same machine.
        String fourNodes = valid("  - {id: witness", "  - {id: server3, role: data, raft: 198.18.0.4:7400,"
                + " admin: 198.18.0.4:7401}\n  - {id: witness");
        ClusterConfig c = parse(fourNodes + """
                  - name: api
                    nodes: [server3]
                    resources:
                      - {type: probe_port, name: nlb-probe, port: 12345}
                """);
        assertEquals(2, c.groups().size());
    }

    @Test
    void probePortMustNotTakeTheNodesOwnPorts() {
        assertEquals("cluster.yaml: groups[0].resources[1].port: port 7400 on node 'server1' (bind defaults to the"
                + " node's raft host 198.18.0.1) collides with nodes[0].raft (198.18.0.1:7400)",
                error(valid("port: 12345", "port: 7400")));
        assertEquals("cluster.yaml: groups[0].resources[1].port: port 7401 on node 'server1' (bind 0.0.0.0)"
                + " collides with nodes[0].admin (198.18.0.1:7401)",
                error(valid("port: 12345}", "port: 7401, bind: 0.0.0.0}")));
    }
}
