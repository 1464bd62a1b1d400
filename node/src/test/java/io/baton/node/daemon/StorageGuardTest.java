package io.baton.node.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.StorageFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A storage failure is a crash: fence first, one line, exit 74; once only. */
class StorageGuardTest {
    @TempDir
    Path dir;

    private final List<String> steps = new ArrayList<>();

    private StorageGuard guard(Runnable fence) {
        return new StorageGuard(fence, line -> steps.add("say " + line), status -> steps.add("exit " + status));
    }

    @Test
    void fencesThenSaysOneLineThenExitsWithEx_IoErr() {
        StorageGuard g = guard(() -> steps.add("fence"));
        g.act(new StorageFailure("/var/lib/baton/server1/raft", "No space left on device (ENOSPC)"));
        assertEquals(List.of("fence",
                "say baton-node: data directory /var/lib/baton/server1/raft: No space left on device (ENOSPC):"
                        + " stopping this node (exit status 74; it rejoins as a follower once restarted on a"
                        + " writable data directory)",
                "exit 74"), steps);
    }

    @Test
    void exitsEvenWhenFencingThrows() {
        StorageGuard g = guard(() -> {
            throw new IllegalStateException("stop script broken");
        });
        g.act(new StorageFailure("/d", "Read-only file system (EROFS)"));
        assertEquals(3, steps.size(), steps::toString);
        assertEquals("exit 74", steps.get(2));
    }

    @Test
    void onlyTheFirstFailureActs() throws Exception {
        List<String> fenced = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch exited = new java.util.concurrent.CountDownLatch(1);
        StorageGuard g = new StorageGuard(() -> fenced.add("fence"), line -> { }, status -> exited.countDown());
        g.accept(new StorageFailure("/d", "a"));
        g.accept(new StorageFailure("/d", "b"));
        assertTrue(exited.await(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of("fence"), fenced);
        assertTrue(g.acted());
    }

    @Test
    void aDisarmedGuardIgnoresFailures() {
        StorageGuard g = guard(() -> steps.add("fence"));
        g.disarm();
        g.accept(new StorageFailure("/d", "closing"));
        assertEquals(List.of(), steps);
        assertTrue(!g.acted());
    }

    @Test
    void theWriteProbePassesOnAWritableDirectoryAndLeavesNothingBehind() throws Exception {
        assertTrue(DataDirCheck.probe(dir).isEmpty());
        assertTrue(Files.notExists(dir.resolve(DataDirCheck.PROBE_FILE)));
    }

    @Test
    void theWriteProbeReportsAFailureWithItsPath() throws Exception {
        Files.createDirectories(dir.resolve(DataDirCheck.PROBE_FILE).resolve("x"));
        StorageFailure f = DataDirCheck.probe(dir).orElseThrow();
        assertEquals(dir.resolve(DataDirCheck.PROBE_FILE).toString(), f.path());
    }

    @Test
    void theRunningCheckReportsTheFirstFailure() throws Exception {
        List<StorageFailure> told = java.util.Collections.synchronizedList(new ArrayList<>());
        try (DataDirCheck check = DataDirCheck.start(dir, told::add)) {
            Files.createDirectories(dir.resolve(DataDirCheck.PROBE_FILE).resolve("x"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !told.isEmpty());
        }
        assertEquals(1, told.size());
    }
}
