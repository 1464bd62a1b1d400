package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Errors in the {@code groups} list, apart from its resources. */
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
                + " resources", error(valid("autostart: true", "preferred: server1")));
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
}
