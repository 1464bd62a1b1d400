package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Errors in the top level and the {@code cluster} section. */
class ClusterSectionValidationTest {

    private static final String CLUSTER_KEYS =
            "name, heartbeat_interval, lease, max_clock_drift, takeover_margin, stop_budget, election_timeout, tls, insecure";

    @Test
    void unknownKeys() {
        assertEquals("cluster.yaml: clusters: unknown key 'clusters' (did you mean 'cluster'?);"
                        + " allowed keys: cluster, nodes, groups, alerts",
                error(valid("cluster:", "clusters:")));
        assertEquals("cluster.yaml: extra: unknown key 'extra'; allowed keys: cluster, nodes, groups, alerts",
                error(Yaml.VALID + "extra: 1\n"));
        assertEquals("cluster.yaml: cluster.leese: unknown key 'leese' (did you mean 'lease'?); allowed keys: "
                        + CLUSTER_KEYS,
                error(valid("lease: 3s", "lease: 3s\n  leese: 3s")));
        assertEquals("cluster.yaml: cluster.quorum: unknown key 'quorum'; allowed keys: " + CLUSTER_KEYS,
                error(valid("lease: 3s", "lease: 3s\n  quorum: 2")));
    }

    @Test
    void missingRequiredFields() {
        assertEquals("cluster.yaml: cluster: required field is missing",
                error(Yaml.VALID.substring(Yaml.VALID.indexOf("nodes:"))));
        assertEquals("cluster.yaml: cluster.name: required field is missing", error(valid("  name: web-ha\n", "")));
        assertEquals("cluster.yaml: cluster.heartbeat_interval: required field is missing",
                error(valid("  heartbeat_interval: 250ms\n", "")));
        assertEquals("cluster.yaml: cluster.lease: required field is missing", error(valid("  lease: 3s\n", "")));
        assertEquals("cluster.yaml: nodes: required field is missing",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("nodes:"))));
    }

    @Test
    void wrongTypes() {
        assertEquals("cluster.yaml: cluster: must be a mapping of keys to values, got string 'web-ha'",
                error("cluster: web-ha\n" + Yaml.VALID.substring(Yaml.VALID.indexOf("nodes:"))));
        assertEquals("cluster.yaml: cluster.name: must be a string, got a list", error(valid("name: web-ha", "name: [web]")));
        assertEquals("cluster.yaml: cluster.name: must be a string, got number 42", error(valid("name: web-ha", "name: 42")));
        assertEquals("cluster.yaml: cluster.lease: must be a duration with a unit, e.g. 250ms or 3s, got number 3",
                error(valid("lease: 3s", "lease: 3")));
        assertEquals("cluster.yaml: cluster.lease: has no value", error(valid("lease: 3s", "lease:")));
        assertEquals("cluster.yaml: cluster.lease: has no value", error(valid("lease: 3s", "lease: ~")));
    }

    @Test
    void clusterName() {
        assertEquals("cluster.yaml: cluster.name: must contain only letters, digits, '.', '_' and '-', got 'web ha'",
                error(valid("name: web-ha", "name: web ha")));
        assertEquals("cluster.yaml: cluster.name: must contain only letters, digits, '.', '_' and '-', got 'web/ha'",
                error(valid("name: web-ha", "name: web/ha")));
        assertEquals("cluster.yaml: cluster.name: has no value", error(valid("name: web-ha", "name: \"\"")));
        assertEquals("cluster.yaml: cluster.name: must not be blank", error(valid("name: web-ha", "name: \"  \"")));
    }

    @Test
    void malformedOrNonPositiveDurations() {
        assertEquals("cluster.yaml: cluster.lease: '3x' is not a duration; expected a number followed by ms, s, m or h,"
                + " e.g. 250ms, 3s, 1.5s, 2m, 1h", error(valid("lease: 3s", "lease: 3x")));
        assertEquals("cluster.yaml: cluster.lease: '-3s' is not a duration; expected a number followed by ms, s, m or h,"
                + " e.g. 250ms, 3s, 1.5s, 2m, 1h", error(valid("lease: 3s", "lease: -3s")));
        assertEquals("cluster.yaml: cluster.heartbeat_interval: must be positive, got 0ms",
                error(valid("heartbeat_interval: 250ms", "heartbeat_interval: 0ms")));
        assertEquals("cluster.yaml: cluster.takeover_margin: must be positive, got 0s",
                error(valid("lease: 3s", "lease: 3s\n  takeover_margin: 0s")));
        assertEquals("cluster.yaml: cluster.election_timeout: '300' is not a duration; expected a number followed by"
                        + " ms, s, m or h, e.g. 250ms, 3s, 1.5s, 2m, 1h",
                error(valid("lease: 3s", "lease: 3s\n  election_timeout: '300'")));
        assertEquals("cluster.yaml: cluster.stop_budget: must be positive, got 0.0s",
                error(valid("lease: 3s", "lease: 3s\n  stop_budget: 0.0s")));
    }

    @Test
    void heartbeatMustBeShorterThanLease() {
        assertEquals("cluster.yaml: cluster.heartbeat_interval: must be shorter than lease (3s), got 3s",
                error(valid("heartbeat_interval: 250ms", "heartbeat_interval: 3s")));
        assertEquals("cluster.yaml: cluster.heartbeat_interval: must be shorter than lease (3s), got 1m",
                error(valid("heartbeat_interval: 250ms", "heartbeat_interval: 1m")));
    }

    @Test
    void leaseMustCoverTwoHeartbeats() {
        assertEquals("cluster.yaml: cluster.lease: must be at least twice heartbeat_interval (2 × 250ms = 500ms),"
                + " got 400ms", error(valid("lease: 3s", "lease: 400ms")));
        assertEquals("cluster.yaml: cluster.lease: must be at least twice heartbeat_interval (2 × 2s = 4s), got 3s",
                error(valid("heartbeat_interval: 250ms", "heartbeat_interval: 2s")));
    }

    @Test
    void stopBudgetMustBeShorterThanLease() {
        assertEquals("cluster.yaml: cluster.stop_budget: must be shorter than lease (3s), got 3s",
                error(valid("lease: 3s", "lease: 3s\n  stop_budget: 3s")));
        assertEquals("cluster.yaml: cluster.stop_budget: must be shorter than lease (3s), got 5s",
                error(valid("lease: 3s", "lease: 3s\n  stop_budget: 5s")));
    }

    @Test
    void maxClockDrift() {
        String prefix = "cluster.yaml: cluster.max_clock_drift: ";
        assertEquals(prefix + "must be at least 0 and less than 0.5 (50%), got 50%",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 50%")));
        assertEquals(prefix + "must be at least 0 and less than 0.5 (50%), got 0.5",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: 0.5")));
        assertEquals(prefix + "must be at least 0 and less than 0.5 (50%), got -0.01",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: -0.01")));
        assertEquals(prefix + "must be a fraction such as 0.01 or a percentage such as 1%, got string '-1%'",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: -1%")));
        assertEquals(prefix + "must be a fraction such as 0.01 or a percentage such as 1%, got string '0.01'",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: '0.01'")));
        assertEquals(prefix + "must be a fraction such as 0.01 or a percentage such as 1%, got boolean true",
                error(valid("lease: 3s", "lease: 3s\n  max_clock_drift: true")));
    }
}
