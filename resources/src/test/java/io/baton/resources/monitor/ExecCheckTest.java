package io.baton.resources.monitor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<Path> pidFiles = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws IOException {
        for (Path f : pidFiles) {
            if (Files.exists(f) && Files.size(f) > 0) {
                ProcessHandle.of(readPid(f)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private Path pidFile(String name) {
        Path f = dir.resolve(name);
        pidFiles.add(f);
        return f;
    }

    private static long readPid(Path f) throws IOException {
        return Long.parseLong(Files.readString(f).trim());
    }

    /** Alive and not a zombie (orphans may wait long for a reaper in a container). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void exitZeroIsHealthy() {
        assertEquals(CheckResult.ok(), new ExecCheck("echo fine", Map.of()).check(TIMEOUT));
    }

    @Test
    void environmentReachesTheCommand() {
        ExecCheck c = new ExecCheck(
                "test \"$BATON_ACTION\" = check && test \"$BATON_RESOURCE\" = db && test \"$MY_SETTING\" = 'a b'",
                Map.of("BATON_RESOURCE", "db", "MY_SETTING", "a b", "BATON_ACTION", "start"));
        assertEquals(CheckResult.ok(), c.check(TIMEOUT));
    }

    @Test
    void nonZeroExitReportsStatusAndLastOutputLine() {
        ExecCheck c = new ExecCheck("echo checking; echo 'db not ready' >&2; exit 1", null);
        assertEquals(CheckResult.failed("exit status 1: db not ready"), c.check(TIMEOUT));
        assertEquals(CheckResult.failed("exit status 3"), new ExecCheck("exit 3", null).check(TIMEOUT));
        CheckResult missing = new ExecCheck(dir.resolve("nope").toString(), null).check(TIMEOUT);
        assertTrue(missing.error().startsWith("exit status 127: ") && missing.error().contains("nope"), missing.error());
    }

    @Test
    void hungCheckTimesOutAndItsProcessGroupIsKilled() throws Exception {
        Path shellPid = pidFile("sh.pid");
        Path childPid = pidFile("child.pid");
        ExecCheck c = new ExecCheck("echo $$ > '" + shellPid + "'; sleep 30 & echo $! > '" + childPid + "'; "
                + "echo waiting; sleep 30", Map.of());
        Duration timeout = Duration.ofMillis(1500);
        long t0 = System.nanoTime();
        CheckResult r = c.check(timeout);
        long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(CheckResult.failed("timed out after 1500ms: waiting"), r);
        assertTrue(tookMs < timeout.toMillis() + 2000, "took " + tookMs + " ms");

        long shell = readPid(shellPid);
        long child = readPid(childPid);
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(shell) && !alive(child));
    }

    @Test
    void describesTheCommand() {
        assertEquals("exec /etc/baton/check.sh", new ExecCheck("/etc/baton/check.sh", null).describe());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ExecCheck(" ", null));
        assertThrows(IllegalArgumentException.class, () -> new ExecCheck("true", null).check(Duration.ZERO));
    }
}
