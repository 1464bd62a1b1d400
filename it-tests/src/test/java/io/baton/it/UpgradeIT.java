package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade's other half: the data directories a protocol-2 build wrote (a Raft log with
 * the cluster's history; {@code upgrade/make-cluster-v2.sh} made them, with the build named there)
 * are started by this build. The history is there, the cluster raises its protocol to this build's
 * once every node speaks it, and a takeover works.
 */
class UpgradeIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(250);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** What the fixture's history ended at: web moved to server2 and back, epoch 3 (see the script). */
    private static final long FIXTURE_EPOCH = 3;

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aClusterWrittenByTheProtocol2BuildRunsOnThisBuildAndTakesOver() throws Exception {
        Path dir = RunDirs.fresh("upgrade-v2");
        // The fixture's cluster file has no tls block: certificates in a checked-in fixture would expire.
        cluster = new LocalCluster(dir, "127.0.61", HEARTBEAT, LEASE, 0, null, false);
        extractFixture(dir.resolve("data"));
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);

        ClusterStatus raised = await().atMost(STARTUP).until(() -> cluster.status().orElse(null),
                s -> s != null && s.getProtocolVersion() == io.baton.coordinator.core.Protocol.THIS_BUILD);
        GroupStatus web = await().atMost(STARTUP).until(() -> cluster.group().orElse(null),
                g -> g != null && g.getPhase() == io.baton.proto.PhaseProto.PHASE_ONLINE);
        assertTrue(web.getEpoch() >= FIXTURE_EPOCH, "the epoch goes on from the old log's: " + web.getEpoch());
        assertEquals(2, web.getMoves(), "the moves the old build recorded are still counted");
        String[] events = cluster.batonctl(java.util.Map.of(), "events", "--last", "500");
        assertEquals("0", events[0], events[2]);
        assertTrue(events[1].contains("protocol version 2 -> " + io.baton.coordinator.core.Protocol.THIS_BUILD),
                events[1]);
        assertTrue(raised.getNodesList().stream().allMatch(n -> n.getProtocolSupported()
                == io.baton.coordinator.core.Protocol.THIS_BUILD), raised.toString());

        String owner = web.getOwner();
        String other = owner.equals("server1") ? "server2" : "server1";
        cluster.kill(owner);
        GroupStatus taken = cluster.awaitOnline(other, STARTUP);
        assertEquals(web.getEpoch() + 1, taken.getEpoch(), "one grant: the takeover");
    }

    /** Unpacks {@code upgrade/cluster-v2.tar.gz} (server1/, server2/, witness/) into {@code data}. */
    private static void extractFixture(Path data) throws IOException, InterruptedException {
        Files.createDirectories(data);
        Path archive = data.resolveSibling("cluster-v2.tar.gz");
        try (InputStream in = UpgradeIT.class.getResourceAsStream("/upgrade/cluster-v2.tar.gz")) {
            if (in == null) {
                throw new IOException("test resource upgrade/cluster-v2.tar.gz is missing");
            }
            Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", data.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes());
        if (!tar.waitFor(30, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("tar -xzf " + archive + " failed: " + output);
        }
    }
}
