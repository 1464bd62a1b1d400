package io.baton.node.configchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigLoader;
import io.baton.node.membership.Members;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a proposed cluster file changes, and what of it cannot change live. */
class ConfigDiffTest {
    private static final String NODES = """
            nodes:
              - {id: server1, role: data,    raft: 127.0.0.1:7400, admin: 127.0.0.1:7401, mirror: 127.0.0.1:7402}
              - {id: server2, role: data,    raft: 127.0.0.2:7400, admin: 127.0.0.2:7401, mirror: 127.0.0.2:7402}
              - {id: witness, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
            """;
    private static final String WEB = """
              - name: web
                nodes: [server1, server2]
                resources:
                  - {type: exec, name: app, start: /bin/true, stop: /bin/true,
                     monitor: {type: tcp, port: 8080, interval: 2s}}
                  - {type: probe_port, name: probe, port: 12345}
            """;

    private static ClusterConfig load(String cluster, String groups) throws Exception {
        return ConfigLoader.parse(cluster + NODES + "groups:\n" + groups, "cluster.yaml");
    }

    private static final String CLUSTER = "cluster: {name: c, heartbeat_interval: 250ms, lease: 3s}\n";

    private static ConfigDiff diff(String groupsBefore, String clusterAfter, String groupsAfter) throws Exception {
        ClusterConfig running = load(CLUSTER, groupsBefore);
        return ConfigDiff.between(running, load(clusterAfter, groupsAfter), Members.bootstrap(running));
    }

    @Test
    void aMonitorIntervalChangeRetunesTheRunningGroup() throws Exception {
        ConfigDiff d = diff(WEB, CLUSTER, WEB.replace("interval: 2s", "interval: 500ms"));
        assertEquals(List.of(), d.refusals());
        assertEquals(Map.of("web", ConfigDiff.Kind.RETUNED), d.groups());
        assertEquals(List.of("group 'web': resource 'app': monitor.interval 2s -> 500ms",
                "group 'web': resource 'app': monitor.timeout 1s -> 250ms"), d.changes(), "the timeout follows the interval");
        assertEquals(List.of(), d.offlineRequired(), "the application keeps running");
    }

    @Test
    void aScriptChangeRebuildsTheGroupWhichMustBeStopped() throws Exception {
        ConfigDiff d = diff(WEB, CLUSTER, WEB.replace("start: /bin/true", "start: /usr/bin/true"));
        assertEquals(Map.of("web", ConfigDiff.Kind.REBUILT), d.groups());
        assertEquals(List.of("web"), d.offlineRequired());
        assertEquals(List.of("group 'web': resource 'app': start /bin/true -> /usr/bin/true"), d.changes());
        String unmonitored = WEB.replace("monitor: {type: tcp, port: 8080, interval: 2s}", "timeout: 30s");
        assertEquals(ConfigDiff.Kind.REBUILT, diff(WEB, CLUSTER, unmonitored).groups().get("web"), "a monitor removed");
    }

    @Test
    void groupsAddedAndRemoved() throws Exception {
        String api = """
                  - {name: api, nodes: [server2, server1], resources: [{type: exec, name: api, start: /bin/true, stop: /bin/true}]}
                """;
        ConfigDiff added = diff(WEB, CLUSTER, WEB + api);
        assertEquals(ConfigDiff.Kind.ADDED, added.groups().get("api"));
        assertEquals(ConfigDiff.Kind.SAME, added.groups().get("web"));
        assertEquals(List.of("group 'api' added (on server2, server1)"), added.changes());
        ConfigDiff removed = diff(WEB + api, CLUSTER, api);
        assertEquals(ConfigDiff.Kind.REMOVED, removed.groups().get("web"));
        assertEquals(List.of("group 'web' removed"), removed.changes());
        assertTrue(diff(WEB, CLUSTER, WEB).empty());
    }

    @Test
    void timingsNodesAndMirrorDisksAreRefusedEachWithItsField() throws Exception {
        ConfigDiff d = diff(WEB, "cluster: {name: c, heartbeat_interval: 250ms, lease: 5s}\n", WEB);
        assertTrue(d.refusals().get(0).startsWith("cluster.lease: 3s -> 5s cannot change live"), d.refusals().get(0));
        assertTrue(d.refusals().get(1).startsWith("cluster.stop_budget: 1s -> 1666ms"), "the default follows the lease: " + d.refusals());

        ClusterConfig running = load(CLUSTER, WEB);
        ClusterConfig moved = ConfigLoader.parse(CLUSTER + NODES.replace("127.0.0.2:7400", "127.0.0.9:7400") + "groups:\n" + WEB,
                "cluster.yaml");
        ConfigDiff nodes = ConfigDiff.between(running, moved, Members.bootstrap(running));
        assertTrue(nodes.refusals().get(0).startsWith("nodes: 'server2' differs from the live membership"), nodes.refusals().toString());
        assertTrue(nodes.refusals().get(0).contains("batonctl node add|remove|replace"), nodes.refusals().toString());

        String disk = """
                  - name: files
                    nodes: [server1, server2]
                    resources:
                      - {type: mirror_disk, name: disk, data: /var/lib/baton/files.img, metadata: /var/lib/baton/files.meta, size: 64MiB, mount: /srv/files}
                """;
        ConfigDiff mirror = diff(WEB, CLUSTER, WEB + disk);
        assertTrue(mirror.refusals().get(0).startsWith("groups.files: a group with a mirror disk cannot be added"),
                mirror.refusals().toString());
    }
}
