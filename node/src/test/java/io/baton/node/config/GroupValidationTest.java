package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.valid;
import static io.baton.node.config.Yaml.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code groups} list apart from its resources: errors, and the failure and failback settings. */
class GroupValidationTest {

    private static final String API_GROUP = """
              - name: api
                nodes: [server2, server1]
                resources:
                  - {type: exec, name: api, start: /bin/api-start, stop: /bin/api-stop}
            """;

    @Test
    void shape() {
        assertEquals("cluster.yaml: groups: must be a list, got a mapping",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("groups:")) + "groups: {web: x}\n"));
        assertEquals("cluster.yaml: groups[0].autostart: must be true or false, got string 'maybe'",
                error(valid("autostart: true", "autostart: maybe")));
        assertEquals("cluster.yaml: groups[0].preferred: unknown key 'preferred'; allowed keys: name, nodes, autostart,"
                + " on_failure, failover_limit, failback, failback_after, probe_wait, resources",
                error(valid("autostart: true", "preferred: server1")));
        assertEquals("cluster.yaml: groups[0].on_faliure: unknown key 'on_faliure' (did you mean 'on_failure'?);"
                + " allowed keys: name, nodes, autostart, on_failure, failover_limit, failback, failback_after,"
                + " probe_wait, resources", error(valid("autostart: true", "on_faliure: stop")));
        assertEquals("cluster.yaml: groups[0].name: required field is missing", error(valid("  - name: web\n    nodes",
                "  - nodes")));
        assertEquals("cluster.yaml: groups[0].name: must contain only letters, digits, '.', '_' and '-', got 'web app'",
                error(valid("- name: web\n", "- name: web app\n")));
        assertEquals("cluster.yaml: groups[0].resources: must list at least one resource",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("    resources:")) + "    resources: []\n"));
        assertEquals("cluster.yaml: groups[0].resources: required field is missing",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("    resources:"))));
    }

    @Test
    void groupNamesAreUnique() {
        assertEquals("cluster.yaml: groups[1].name: duplicate group name 'web', also used by groups[0]",
                error(Yaml.VALID + API_GROUP.replace("name: api\n", "name: web\n")));
    }

    @Test
    void atLeastOneNode() {
        assertEquals("cluster.yaml: groups[0].nodes[1]: must not be blank", error(valid("[server1, server2]", "[server1, ' ']")));
        assertEquals("cluster.yaml: groups[0].nodes: must list at least one node",
                error(valid("[server1, server2]", "[]")));
        assertEquals("cluster.yaml: groups[0].nodes: required field is missing",
                error(valid("    nodes: [server1, server2]\n", "")));
    }

    @Test
    void membersMustBeKnownDataNodes() {
        assertEquals("cluster.yaml: groups[0].nodes[1]: unknown node 'server3'; known nodes: server1, server2, witness",
                error(valid("[server1, server2]", "[server1, server3]")));
        assertEquals("cluster.yaml: groups[1].nodes[0]: unknown node 'Server2'; known nodes: server1, server2, witness",
                error(Yaml.VALID + API_GROUP.replace("[server2, server1]", "[Server2, server1]")));
        assertEquals("cluster.yaml: groups[0].nodes[2]: witness 'witness' cannot be a member of a group:"
                + " witnesses vote but own nothing", error(valid("[server1, server2]", "[server1, server2, witness]")));
        assertEquals("cluster.yaml: groups[0].nodes[2]: node 'server1' is listed twice, also at groups[0].nodes[0]",
                error(valid("[server1, server2]", "[server1, server2, server1]")));
        assertEquals("cluster.yaml: groups[0].nodes[1]: must be a string, got number 2",
                error(valid("[server1, server2]", "[server1, 2]")));
    }

    /** The example's group with {@code keys} (block style, one per line) added after autostart. */
    private static String group(String... keys) {
        return valid("    autostart: true\n", "    autostart: true\n    " + String.join("\n    ", keys) + "\n");
    }

    private static GroupConfig web(String yaml) throws ConfigException {
        return parse(yaml).groups().get(0);
    }

    @Test
    void failureAndFailbackDefaults() throws ConfigException {
        GroupConfig web = web(Yaml.VALID);
        assertEquals(OnFailure.FAILOVER, web.onFailure());
        assertEquals(new FailoverLimit(3, Duration.ofHours(1)), web.failoverLimit());
        assertEquals(FailoverLimit.DEFAULT, web.failoverLimit());
        assertEquals(Failback.NEVER, web.failback());
        assertEquals(Duration.ofSeconds(60), web.failbackAfter());
        assertEquals(Duration.ofSeconds(31), web.probeWait());
        assertTrue(web.probeWaitEnabled());
        // The convenience constructor gives the same defaults.
        assertEquals(web, new GroupConfig(web.name(), web.nodes(), web.autostart(), web.resources()));
    }

    @Test
    void readsFailureAndFailbackSettings() throws ConfigException {
        GroupConfig web = web(group("on_failure: stop", "failover_limit: {max: 5, within: 30m}", "failback: auto",
                "failback_after: 2m", "probe_wait: 45s"));
        assertEquals(new GroupConfig(web.name(), web.nodes(), true, web.resources(), OnFailure.STOP,
                new FailoverLimit(5, Duration.ofMinutes(30)), Failback.AUTO, Duration.ofMinutes(2),
                Duration.ofSeconds(45)), web);
        assertEquals(OnFailure.KEEP, web(group("on_failure: keep")).onFailure());
        assertEquals(OnFailure.FAILOVER, web(group("on_failure: failover")).onFailure());
        assertEquals(Failback.NEVER, web(group("failback: never")).failback());
        // Each failover_limit field may be left out.
        assertEquals(new FailoverLimit(1, Duration.ofHours(1)), web(group("failover_limit: {max: 1}")).failoverLimit());
        assertEquals(new FailoverLimit(3, Duration.ofHours(24)),
                web(group("failover_limit: {within: 24h}")).failoverLimit());
    }

    @Test
    void probeWaitZeroTurnsTheWarningOff() throws ConfigException {
        for (String zero : new String[] {"0", "0s", "0ms"}) {
            GroupConfig web = web(group("probe_wait: " + zero));
            assertEquals(Duration.ZERO, web.probeWait(), zero);
            assertFalse(web.probeWaitEnabled(), zero);
        }
    }

    @Test
    void onFailureAndFailbackValues() {
        assertEquals("cluster.yaml: groups[0].on_failure: must be failover, stop or keep, got 'restart'",
                error(group("on_failure: restart")));
        assertEquals("cluster.yaml: groups[0].on_failure: must be failover, stop or keep, got 'Stop'",
                error(group("on_failure: Stop")));
        assertEquals("cluster.yaml: groups[0].on_failure: must be a string, got number 1", error(group("on_failure: 1")));
        assertEquals("cluster.yaml: groups[0].failback: must be never or auto, got 'always'",
                error(group("failback: always")));
        assertEquals("cluster.yaml: groups[0].failback: must be a string, got boolean true", error(group("failback: true")));
    }

    @Test
    void failoverLimitFields() {
        String at = "cluster.yaml: groups[0].failover_limit";
        assertEquals(at + ".max: must be at least 1, got 0", error(group("failover_limit: {max: 0, within: 1h}")));
        assertEquals(at + ".max: must be a whole number, got string 'many'", error(group("failover_limit: {max: many}")));
        assertEquals(at + ".within: must be positive, got 0s", error(group("failover_limit: {max: 3, within: 0s}")));
        assertEquals(at + ".within: must be a duration with a unit, e.g. 250ms or 3s, got number 3600",
                error(group("failover_limit: {within: 3600}")));
        assertEquals(at + ".maxx: unknown key 'maxx' (did you mean 'max'?); allowed keys: max, within",
                error(group("failover_limit: {maxx: 3}")));
        assertEquals(at + ": must be a mapping of keys to values, got number 3", error(group("failover_limit: 3")));
    }

    @Test
    void failbackAfterAndProbeWaitDurations() {
        String at = "cluster.yaml: groups[0].";
        assertEquals(at + "failback_after: must be positive, got 0s", error(group("failback_after: 0s")));
        assertEquals(at + "failback_after: must be a duration with a unit, e.g. 250ms or 3s, got number 60",
                error(group("failback_after: 60")));
        assertEquals(at + "probe_wait: '-1s' is not a duration; expected a number followed by ms, s, m or h,"
                + " e.g. 250ms, 3s, 1.5s, 2m, 1h", error(group("probe_wait: -1s")));
        assertEquals(at + "probe_wait: must be a duration with a unit, e.g. 250ms or 3s, or 0, got number 30",
                error(group("probe_wait: 30")));
        assertEquals(at + "probe_wait: has no value", error(group("probe_wait:")));
    }

    @Test
    void recordsRefuseWhatTheReaderRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new FailoverLimit(0, Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> new FailoverLimit(3, Duration.ZERO));
        GroupConfig web = new GroupConfig("web", List.of("a"), true, List.of());
        assertThrows(IllegalArgumentException.class, () -> new GroupConfig("web", web.nodes(), true, web.resources(),
                OnFailure.FAILOVER, FailoverLimit.DEFAULT, Failback.NEVER, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new GroupConfig("web", web.nodes(), true, web.resources(),
                OnFailure.FAILOVER, FailoverLimit.DEFAULT, Failback.NEVER, Duration.ofSeconds(1), Duration.ofSeconds(-1)));
    }
}
