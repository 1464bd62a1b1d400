package io.baton.node.config;

import static io.baton.node.config.Yaml.parse;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings that load but get a warning. */
class WarningsTest {

    private static final String WITNESS_LINE =
            "  - {id: witness, role: witness, zone: us-east-1c, raft: 198.18.0.3:7400, admin: 198.18.0.3:7401}\n";

    @Test
    void theExampleHasNoWarnings() throws ConfigException {
        assertEquals(List.of(), parse(Yaml.VALID).warnings());
    }

    @Test
    void aStopThatMayOutlastTheStopBudget() throws ConfigException {
        String defaultTimeouts = ", stop_timeout: 1s, timeout: 30s}";
        assertEquals(List.of("groups[0].resources[0].stop_timeout: resource 'app' may take up to 30s to stop, longer"
                + " than cluster.stop_budget (1s): after a lost lease it may still be stopping when another node"
                + " starts the group; set stop_timeout (or timeout) to at most 1s, or a longer lease and stop_budget"),
                parse(valid(defaultTimeouts, "}")).warnings(), "the default stop timeout (30s) is over lease/3");
        assertEquals(List.of("groups[0].resources[0].stop_timeout: resource 'app' may take up to 2s to stop, longer"
                + " than cluster.stop_budget (1s): after a lost lease it may still be stopping when another node"
                + " starts the group; set stop_timeout (or timeout) to at most 1s, or a longer lease and stop_budget"),
                parse(valid(defaultTimeouts, ", stop_timeout: 2s}")).warnings());
        assertEquals(List.of(), parse(valid(defaultTimeouts, ", timeout: 1s}")).warnings(), "within the budget");
        assertEquals(List.of(), parse(valid(defaultTimeouts, ", stop_timeout: 2s}").replace("lease: 3s", "lease: 9s")).warnings(),
                "a longer lease makes room for a slower stop (stop_budget is lease/3)");
        assertEquals(List.of("groups[0].resources[0].stop_timeout: resource 'app' may take up to 1s to stop, longer"
                + " than cluster.stop_budget (333ms): after a lost lease it may still be stopping when another node"
                + " starts the group; set stop_timeout (or timeout) to at most 333ms, or a longer lease and stop_budget"),
                parse(valid("lease: 3s", "lease: 1s", "250ms", "250ms\n  election_timeout: 900ms")).warnings(),
                "a budget of a third of a second is quoted to the millisecond");
    }

    @Test
    void twoDataNodesWithoutWitness() throws ConfigException {
        ClusterConfig c = parse(valid(WITNESS_LINE, ""));
        assertEquals(List.of("nodes: only 2 voters (server1, server2): losing either one leaves no Raft majority,"
                + " so automatic failover needs a third voter (add a witness)"), c.warnings());
    }

    @Test
    void evenNumberOfVoters() throws ConfigException {
        ClusterConfig c = parse(valid(WITNESS_LINE, WITNESS_LINE
                + "  - {id: witness2, role: witness, raft: 198.18.0.4:7400, admin: 198.18.0.4:7401}\n"));
        assertEquals(List.of("nodes: 4 voters is an even number: a majority is 3, so the cluster survives no more"
                + " failures than with 3 voters; add a witness or remove a voter"), c.warnings());
    }

    @Test
    void fiveVotersAreFine() throws ConfigException {
        ClusterConfig c = parse(valid(WITNESS_LINE, WITNESS_LINE
                + "  - {id: server3, role: data, raft: 198.18.0.4:7400, admin: 198.18.0.4:7401}\n"
                + "  - {id: server4, role: data, raft: 198.18.0.5:7400, admin: 198.18.0.5:7401}\n"));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void oneDataNodeAndAWitness() throws ConfigException {
        String text = """
                cluster: {name: lab, heartbeat_interval: 250ms, lease: 3s}
                nodes:
                  - {id: a, role: data, raft: 10.0.0.1:7400, admin: 10.0.0.1:7401}
                  - {id: w, role: witness, raft: 10.0.0.2:7400, admin: 10.0.0.2:7401}
                groups:
                  - {name: g, nodes: [a], resources: [{type: exec, name: x, start: /bin/true, stop: /bin/true, stop_timeout: 1s}]}
                """;
        assertEquals(List.of(
                "nodes: only one data node ('a'): there is no other node to fail over to",
                "nodes: only 2 voters (a, w): losing a data node leaves no Raft majority (2 of 2 needed),"
                        + " so automatic failover needs more voters (add a witness)",
                "groups[0].nodes: group 'g' lists only one node, so it cannot fail over"),
                parse(text).warnings());
    }

    @Test
    void singleNode() throws ConfigException {
        String text = """
                cluster: {name: lab, heartbeat_interval: 250ms, lease: 3s}
                nodes:
                  - {id: a, role: data, raft: 127.0.0.1:7400, admin: 127.0.0.1:7401}
                """;
        assertEquals(List.of(
                "nodes: only one data node ('a'): there is no other node to fail over to",
                "nodes: only 1 voter (a): losing a data node leaves no Raft majority (1 of 1 needed),"
                        + " so automatic failover needs more voters (add a witness)",
                "groups: no groups are defined, so the cluster coordinates nothing"),
                parse(text).warnings());
    }

    @Test
    void leaseShorterThanFourHeartbeats() throws ConfigException {
        assertEquals(List.of("cluster.lease: lease 750ms is less than 4 heartbeat intervals (4 × 250ms = 1s);"
                        + " a few late heartbeats in a row will let it run out"),
                parse(valid("lease: 3s", "lease: 750ms").replace("stop_timeout: 1s", "stop_timeout: 250ms")).warnings());
        assertEquals(List.of(), parse(valid("lease: 3s", "lease: 1s", "250ms", "250ms\n  election_timeout: 900ms")
                .replace("stop_timeout: 1s", "stop_timeout: 300ms")).warnings());
    }

    @Test
    void leaseNotLongerThanElectionTimeout() throws ConfigException {
        assertEquals(List.of("cluster.lease: lease 3s is not longer than election_timeout 3s;"
                        + " leases may run out while Raft elects a new leader"),
                parse(valid("lease: 3s", "lease: 3s\n  election_timeout: 3s")).warnings());
    }
}
