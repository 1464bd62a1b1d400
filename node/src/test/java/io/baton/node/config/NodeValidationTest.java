package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Errors in the {@code nodes} list. */
class NodeValidationTest {

    private static final String SERVER2 =
            "{id: server2, role: data,    zone: us-east-1b, raft: 198.18.0.2:7400, admin: 198.18.0.2:7401}";

    @Test
    void atLeastOneNode() {
        assertEquals("cluster.yaml: nodes: must list at least one node",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("nodes:")) + "nodes: []\n"));
        assertEquals("cluster.yaml: nodes: must be a list, got string 'server1'",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("nodes:")) + "nodes: server1\n"));
        assertEquals("cluster.yaml: nodes: has no value",
                error(Yaml.VALID.substring(0, Yaml.VALID.indexOf("nodes:")) + "nodes:\n"));
    }

    @Test
    void nodeMustBeAMapping() {
        assertEquals("cluster.yaml: nodes[1]: must be a mapping of keys to values, got string 'server2'",
                error(valid(SERVER2, "server2")));
    }

    @Test
    void unknownKey() {
        assertEquals("cluster.yaml: nodes[1].hostname: unknown key 'hostname'; allowed keys: id, role, zone, raft, admin, mirror, http",
                error(valid("{id: server2,", "{hostname: x, id: server2,")));
        assertEquals("cluster.yaml: nodes[1].zones: unknown key 'zones' (did you mean 'zone'?);"
                        + " allowed keys: id, role, zone, raft, admin, mirror, http",
                error(valid("zone: us-east-1b", "zones: us-east-1b")));
    }

    @Test
    void missingFields() {
        assertEquals("cluster.yaml: nodes[1].id: required field is missing", error(valid("id: server2, ", "")));
        assertEquals("cluster.yaml: nodes[1].role: required field is missing", error(valid(SERVER2,
                "{id: server2, zone: us-east-1b, raft: 198.18.0.2:7400, admin: 198.18.0.2:7401}")));
        assertEquals("cluster.yaml: nodes[1].raft: required field is missing",
                error(valid(" raft: 198.18.0.2:7400,", "")));
        assertEquals("cluster.yaml: nodes[1].admin: required field is missing",
                error(valid(", admin: 198.18.0.2:7401", "")));
    }

    @Test
    void ids() {
        assertEquals("cluster.yaml: nodes[1].id: duplicate node id 'server1', also used by nodes[0]",
                error(valid("{id: server2", "{id: server1", "[server1, server2]", "[server1]")));
        assertEquals("cluster.yaml: nodes[1].id: must contain only letters, digits, '.', '_' and '-', got 'server 2'",
                error(valid("{id: server2", "{id: server 2")));
        assertEquals("cluster.yaml: nodes[1].id: must be a string, got number 2", error(valid("{id: server2", "{id: 2")));
    }

    @Test
    void role() {
        assertEquals("cluster.yaml: nodes[1].role: must be data or witness, got 'master'",
                error(valid("{id: server2, role: data", "{id: server2, role: master")));
        assertEquals("cluster.yaml: nodes[1].role: must be data or witness, got 'DATA'",
                error(valid("{id: server2, role: data", "{id: server2, role: DATA")));
    }

    @Test
    void malformedAddresses() {
        assertEquals("cluster.yaml: nodes[1].raft: invalid address '198.18.0.2': missing port; expected host:port",
                error(valid("raft: 198.18.0.2:7400", "raft: 198.18.0.2")));
        assertEquals("cluster.yaml: nodes[1].admin: invalid address '198.18.0.2:70000':"
                        + " port must be between 1 and 65535, got 70000",
                error(valid("admin: 198.18.0.2:7401", "admin: 198.18.0.2:70000")));
        assertEquals("cluster.yaml: nodes[1].raft: invalid address '198.18.0.256:7400':"
                        + " '198.18.0.256' is not a valid IPv4 address",
                error(valid("raft: 198.18.0.2:7400", "raft: 198.18.0.256:7400")));
        assertEquals("cluster.yaml: nodes[1].raft: must be a string, got number 7400",
                error(valid("raft: 198.18.0.2:7400", "raft: 7400")));
        assertEquals("cluster.yaml: nodes[1].raft: must be a string host:port, got a list;"
                        + " quote IPv6 addresses, e.g. \"[fd00::1]:7400\"",
                error(valid(SERVER2, "{id: server2, role: data, raft: [fd00::2], admin: 198.18.0.2:7401}")));
        assertEquals("cluster.yaml: nodes[1].raft: must be an address the other nodes can reach,"
                        + " not the wildcard 0.0.0.0",
                error(valid("raft: 198.18.0.2:7400", "raft: 0.0.0.0:7400")));
    }

    @Test
    void duplicateAddressesNameBothPlaces() {
        assertEquals("cluster.yaml: nodes[1].raft: address 198.18.0.1:7400 is already used by nodes[0].raft"
                        + " (node 'server1'); every raft, admin, mirror and http address must be different",
                error(valid("raft: 198.18.0.2:7400", "raft: 198.18.0.1:7400")));
        assertEquals("cluster.yaml: nodes[0].admin: address 198.18.0.1:7400 is already used by nodes[0].raft"
                        + " (node 'server1'); every raft, admin, mirror and http address must be different",
                error(valid("admin: 198.18.0.1:7401", "admin: 198.18.0.1:7400")));
        assertEquals("cluster.yaml: nodes[2].raft: address 198.18.0.2:7401 is already used by nodes[1].admin"
                        + " (node 'server2'); every raft, admin, mirror and http address must be different",
                error(valid("raft: 198.18.0.3:7400", "raft: 198.18.0.2:7401")));
        assertEquals("cluster.yaml: nodes[0].http: address 198.18.0.1:7401 is already used by nodes[0].admin"
                        + " (node 'server1'); every raft, admin, mirror and http address must be different",
                error(valid("admin: 198.18.0.1:7401", "admin: 198.18.0.1:7401, http: 198.18.0.1:7401")));
    }

    @Test
    void duplicateAddressesAreFoundAcrossSpellings() {
        assertEquals("cluster.yaml: nodes[1].raft: address Host-A:7400 is already used by nodes[0].raft"
                        + " (node 'server1'); every raft, admin, mirror and http address must be different",
                error(valid("raft: 198.18.0.1:7400", "raft: host-a:7400", "raft: 198.18.0.2:7400", "raft: Host-A:7400")));
        assertEquals("cluster.yaml: nodes[1].raft: address [fd00:0::1]:7400 is already used by nodes[0].raft"
                        + " (node 'server1'); every raft, admin, mirror and http address must be different",
                error(valid("raft: 198.18.0.1:7400", "raft: '[FD00::1]:7400'",
                        "raft: 198.18.0.2:7400", "raft: '[fd00:0::1]:7400'")));
    }
}
