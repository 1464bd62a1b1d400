package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.PhaseProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * batonctl config apply on a real cluster on loopback (TLS): a group added and a monitor's interval
 * changed without a restart of any node or of the running application; changes that cannot be applied
 * live refused with their reason, changing nothing; a node whose cluster file differs from the applied
 * one named in status, and a node restarted with its old file running by the applied configuration.
 */
class ConfigApplyIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);
    static final Duration SETTLE = Duration.ofSeconds(30);

    Path dir;
    LocalCluster cluster;

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo info) throws Exception {
        dir = Path.of("target", "it-runs", "config-apply-" + info.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        cluster = new LocalCluster(dir, "127.0.46", HEARTBEAT, LEASE);
        // web's application gets an exec monitor that logs each check it runs, every 2 s.
        String text = Files.readString(cluster.configFile());
        String withMonitor = text.replace(", timeout: 10s}", ", timeout: 10s, monitor: {type: exec, command: 'echo $BATON_NODE >> "
                + dir.resolve("app/checks.log") + "', interval: 2s, timeout: 1s}}");
        assertTrue(!withMonitor.equals(text), "the app resource's entry was found");
        Files.writeString(cluster.configFile(), withMonitor);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String[] ctl(String... args) throws Exception {
        return cluster.batonctl(cluster.ctlEnv(), args);
    }

    private long checks() throws Exception {
        Path log = dir.resolve("app/checks.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private Optional<GroupStatus> group(ClusterStatus s, String name) {
        return s.getGroupsList().stream().filter(g -> g.getName().equals(name)).findFirst();
    }

    private boolean online(String group, String node) {
        return cluster.status().flatMap(s -> group(s, group))
                .filter(g -> g.getPhase() == PhaseProto.PHASE_ONLINE && g.getOwner().equals(node)).isPresent();
    }

    /** The api group: one exec resource whose scripts mark it running on the node. */
    private String apiGroup() throws Exception {
        Path app = dir.resolve("app");
        Path start = app.resolve("api-start.sh");
        Path stop = app.resolve("api-stop.sh");
        Files.writeString(start, "#!/bin/sh\ntouch " + app + "/api-$BATON_NODE.running\n");
        Files.writeString(stop, "#!/bin/sh\nrm -f " + app + "/api-$BATON_NODE.running\n");
        start.toFile().setExecutable(true);
        stop.toFile().setExecutable(true);
        return "  - {name: api, nodes: [server2, server1], resources: [{type: exec, name: api, start: " + start
                + ", stop: " + stop + "}]}\n";
    }

    @Test
    void aGroupAddedAndAMonitorIntervalChangedWithoutARestart() throws Exception {
        String original = Files.readString(cluster.configFile());
        long webStarts = cluster.appStarts().size();
        Path changed = dir.resolve("cluster-v1.yaml");
        Files.writeString(changed, original.replace("interval: 2s, timeout: 1s", "interval: 300ms, timeout: 200ms") + apiGroup());

        String[] dry = ctl("config", "apply", changed.toString(), "--dry-run");
        assertEquals("0", dry[0], dry[2]);
        assertTrue(dry[1].startsWith("would apply " + changed + " as configuration version 1:"), dry[1]);
        assertTrue(cluster.status().orElseThrow().getConfigVersion() == 0, "a dry run commits nothing");

        String[] applied = ctl("config", "apply", changed.toString());
        assertEquals("0", applied[0], applied[2]);
        assertTrue(applied[1].startsWith("configuration version 1 applied:"), applied[1]);
        assertTrue(applied[1].contains("group 'web': resource 'app': monitor.interval 2s -> 300ms"), applied[1]);
        assertTrue(applied[1].contains("group 'api' added (on server2, server1)"), applied[1]);

        // api starts on its first member, on no restart of anything.
        await().atMost(SETTLE).until(() -> online("api", "server2"));
        assertTrue(Files.exists(dir.resolve("app/api-server2.running")));
        // The web application kept running: no start since, and the checks now come every 300 ms, not 2 s.
        long before = checks();
        await().atMost(Duration.ofSeconds(10)).until(() -> checks() >= before + 8);
        assertEquals(webStarts, cluster.appStarts().size(), "web's application was not restarted");
        assertTrue(online("web", "server1"));

        // Every node runs version 1; the cluster file on disk is still the old one: status says so.
        ClusterStatus s = await().atMost(SETTLE).until(() -> cluster.status().orElseThrow(),
                st -> st.getNodesList().stream().allMatch(n -> n.getConfigVersion() == 1));
        String status = ctl("status")[1];
        assertTrue(status.contains("cluster file mismatch: server1 and server2 and witness have a cluster file other than"
                + " the applied configuration (version 1"), status);
        assertEquals(1, s.getConfigVersion());

        // The applied file copied to every node (they share one here): the warning goes without a restart.
        Files.copy(changed, cluster.configFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await().atMost(SETTLE).until(() -> !ctl("status")[1].contains("mismatch"));

        // server2 restarted with its old file: it runs by the applied configuration all the same (api is
        // granted to it again), and status names it alone.
        Path old = dir.resolve("cluster-old.yaml");
        Files.writeString(old, original);
        cluster.terminate("server2");
        await().atMost(SETTLE).until(() -> online("api", "server1"));
        cluster.start("server2", List.of(), old);
        String mismatch = await().atMost(SETTLE).until(() -> ctl("status")[1], out -> out.contains("mismatch"));
        assertTrue(mismatch.contains("cluster file mismatch: server2 has a cluster file other than the applied configuration"),
                mismatch);
        await().atMost(SETTLE).until(() -> cluster.status().orElseThrow().getNodesList().stream()
                .anyMatch(n -> n.getId().equals("server2") && n.getAlive() && n.getConfigVersion() == 1));
        String[] moved = ctl("move", "api", "--to", "server2");
        assertEquals("0", moved[0], moved[2]);
        await().atMost(SETTLE).until(() -> online("api", "server2"));
    }

    @Test
    void whatCannotChangeLiveIsRefusedWithItsReasonAndChangesNothing() throws Exception {
        String original = Files.readString(cluster.configFile());
        Path lease = dir.resolve("cluster-lease.yaml");
        Files.writeString(lease, original.replace("lease: 3000ms", "lease: 5000ms"));
        String[] refused = ctl("config", "apply", lease.toString());
        assertEquals("1", refused[0], refused[1]);
        assertTrue(refused[2].contains("cannot be applied live; nothing was changed"), refused[2]);
        assertTrue(refused[2].contains("cluster.lease: 3s -> 5s cannot change live"), refused[2]);

        // web's start script changed while web runs: it would need web stopped first.
        Path script = dir.resolve("cluster-script.yaml");
        Files.writeString(script, original.replace(", timeout: 10s,", ", timeout: 11s,"));
        String[] running = ctl("config", "apply", script.toString());
        assertEquals("1", running[0], running[1]);
        assertTrue(running[2].contains("group 'web' is online on server1: its resources change, which needs it stopped first"
                + " ('batonctl stop web'); nothing was changed"), running[2]);

        // A file that does not load is named with its field, and never sent.
        Path broken = dir.resolve("cluster-broken.yaml");
        Files.writeString(broken, original.replace("lease: 3000ms", "lease: soon"));
        String[] invalid = ctl("config", "apply", broken.toString());
        assertEquals("1", invalid[0], invalid[1]);
        assertTrue(invalid[2].startsWith("batonctl: " + broken + ": cluster.lease:"), invalid[2]);

        assertEquals(0, cluster.status().orElseThrow().getConfigVersion(), "nothing was applied");
        assertTrue(online("web", "server1"));

        // Once web is stopped the same change is applied, and web starts again by the new definition.
        assertEquals("0", ctl("stop", "web")[0]);
        await().atMost(SETTLE).until(() -> cluster.status().flatMap(s -> group(s, "web"))
                .filter(g -> g.getOwner().isEmpty()).isPresent());
        String[] applied = ctl("config", "apply", script.toString());
        assertEquals("0", applied[0], applied[2]);
        assertTrue(applied[1].contains("group 'web': resource 'app': timeout 10s -> 11s"), applied[1]);
        assertEquals("0", ctl("start", "web")[0]);
        await().atMost(SETTLE).until(() -> online("web", "server1") || online("web", "server2"));
    }
}
