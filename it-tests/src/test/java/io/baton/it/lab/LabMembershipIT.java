package io.baton.it.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.it.lab.Lab.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A node replaced in the fault lab (issue 14): with the mirror disk and its record writer running,
 * server2's host is retired (SIGKILL), server3 (a host of its own, another address) replaces it
 * through {@code batonctl node replace}, gets the whole disk, and then takes the group over when
 * server1 is killed: HAProxy sends the pages to server3 and every acknowledged record is on its disk.
 * The observer checks S1 throughout, over all three servers' probe ports. Needs root, as the lab.
 */
class LabMembershipIT extends LabTestBase {
    private static final long DISK = 64L << 20;
    /** A full copy of the 64 MiB disk at the lab's 8 MiB/s resync rate, with room. */
    private static final Duration FULL_COPY = Duration.ofSeconds(60);

    @LabTest
    void aReplacementHostGetsTheDiskAndTakesOverWithEveryAcknowledgedRecord(LabRuns.Run run) throws Exception {
        Path dir = Path.of("target", "lab-runs", "replace-" + run.index()).toAbsolutePath();
        env = LabEnv.start(dir, LabEnv.Options.mirrored(DISK));
        await().atMost(LabEnv.STARTUP).until(env.observer::mirrorInSync);

        env.kill("server2"); // its host is retired
        env.startNode("server3", env.newNodeConfig(Host.SERVER3));
        Path log = dir.resolve("logs").resolve("server3.log");
        await().atMost(LabEnv.STARTUP).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(log) && Files.readString(log).contains("node server3 started"));
        String ip = Host.SERVER3.ip();
        double t0 = LabObserver.now();
        LabEnv.CtlRun replace = env.batonctl("node", "replace", "server2", "--with", "server3", "--role", "data",
                "--raft", ip + ":7400", "--admin", ip + ":7401", "--mirror", ip + ":7402");
        double replaced = LabObserver.now();
        assertEquals(0, replace.exit(), replace.out());
        assertTrue(replace.out().contains("replaced server2 with server3"), replace.out());
        assertTrue(env.observer.stillServingFrom("server1"), "the replacement moved nothing: " + env.observer.describe());

        await().atMost(FULL_COPY).pollInterval(Duration.ofMillis(200)).until(() -> env.observer.replicaUpToDate("server3"));
        double copied = LabObserver.now();
        LabEnv.RecordCheck before = env.checkRecords("server1");

        double t1 = LabObserver.now();
        env.kill("server1");
        env.awaitServing("server3", Duration.ofMillis(NemesisIT.boundMs(NemesisIT.Kind.KILL_RESTART, true)));
        double pages = env.observer.firstPageFrom("server3", t1) - t1;
        LabEnv.RecordCheck after = env.checkRecords("server3");
        assertTrue(after.acknowledged() >= before.acknowledged() && after.acknowledged() > 0,
                "acknowledged records before the kill " + before + ", on server3 after " + after);
        env.recordOutage("replace-then-kill-owner", env.observer.outageMs(t1, LabObserver.now()),
                String.format(Locale.ROOT, "replace_ms=%.0f full_copy_done_after_ms=%.0f pages_from_server3_after_ms=%.0f"
                        + " acknowledged_records=%d", replaced - t0, copied - replaced, pages, after.acknowledged()));
    }
}
