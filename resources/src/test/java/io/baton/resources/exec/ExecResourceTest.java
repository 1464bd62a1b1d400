package io.baton.resources.exec;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;
import io.baton.resources.ResourceState.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecResourceTest {

    private static final ResourceContext CTX = new ResourceContext("web", "node-2", 42);
    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Path> pidFiles = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws IOException {
        for (Path f : pidFiles) {
            if (Files.exists(f)) {
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
    void environmentReachesScript() throws Exception {
        Path out = dir.resolve("env.txt");
        ExecResource r = ExecResource.fromScripts("app",
                "env | grep -E '^(BATON_|MY_)' | sort > \"$OUT\"",
                "echo \"$BATON_ACTION $BATON_EPOCH\" >> \"$OUT\"",
                LONG, Map.of("OUT", out.toString(), "MY_SETTING", "a b c"));
        assertEquals("exec", r.type());
        r.start(CTX);
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.contains("BATON_GROUP=web"), lines::toString);
        assertTrue(lines.contains("BATON_NODE=node-2"), lines::toString);
        assertTrue(lines.contains("BATON_EPOCH=42"), lines::toString);
        assertTrue(lines.contains("BATON_RESOURCE=app"), lines::toString);
        assertTrue(lines.contains("BATON_ACTION=start"), lines::toString);
        assertTrue(lines.contains("MY_SETTING=a b c"), lines::toString);

        r.stop(CTX);
        List<String> after = Files.readAllLines(out);
        assertEquals("stop 42", after.get(after.size() - 1));
    }

    @Test
    void nonZeroExitReportsStatusAndOutput() {
        ExecResource r = ExecResource.fromScripts("app",
                "echo starting; echo 'port 8080 busy' >&2; exit 3", "true", LONG, Map.of());
        ResourceException e = assertThrows(ResourceException.class, () -> r.start(CTX));
        assertTrue(e.getMessage().startsWith("start script for 'app' exited with status 3: "), e.getMessage());
        assertTrue(e.getMessage().contains("starting"), e.getMessage());
        assertTrue(e.getMessage().contains("port 8080 busy"), e.getMessage());
        ResourceState s = r.observe();
        assertEquals(Status.FAILED, s.status());
        assertTrue(s.detail().contains("status 3") && s.detail().contains("port 8080 busy"), s.detail());
    }

    @Test
    void outputKeepsOnlyTheTail() throws Exception {
        ExecResource r = ExecResource.fromScripts("app",
                "i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done; echo last", "true",
                LONG, Map.of());
        r.start(CTX);
        assertTrue(r.lastOutput().length() <= ExecResource.OUTPUT_TAIL_BYTES + 1, () -> "" + r.lastOutput().length());
        assertTrue(r.lastOutput().endsWith("line 1999\nlast\n"));
        assertTrue(r.observe().detail().endsWith(": last"), r.observe().detail());
    }

    @Test
    void timeoutKillsTheWholeProcessGroup() throws Exception {
        Path pid = pidFile("bg.pid");
        ExecResource r = ExecResource.fromScripts("app",
                "sleep 1000 & echo $! > '" + pid + "'; echo waiting; sleep 1000", "true",
                Duration.ofMillis(1500), Map.of());
        long t0 = System.nanoTime();
        ResourceException e = assertThrows(ResourceException.class, () -> r.start(CTX));
        long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(tookMs < 10_000, "took " + tookMs + " ms");
        assertTrue(e.getMessage().startsWith("start script for 'app' timed out after 1500ms: "), e.getMessage());
        assertTrue(e.getMessage().contains("waiting"), e.getMessage());
        assertEquals(Status.FAILED, r.observe().status());

        long bgPid = readPid(pid);
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(bgPid));
    }

    @Test
    void timeoutMessageInSeconds() {
        ExecResource r = ExecResource.fromScripts("app", "sleep 1000", "true", Duration.ofSeconds(1), Map.of());
        ResourceException e = assertThrows(ResourceException.class, () -> r.start(CTX));
        assertEquals("start script for 'app' timed out after 1s (no output)", e.getMessage());
    }

    @Test
    void theStopHasATimeoutOfItsOwn() throws Exception {
        ExecResource r = ExecResource.fromScripts("app", "sleep 0.3", "sleep 1000", LONG, Duration.ofSeconds(1), Map.of());
        r.start(CTX);
        ResourceException e = assertThrows(ResourceException.class, () -> r.stop(CTX));
        assertEquals("stop script for 'app' timed out after 1s (no output)", e.getMessage());
        ExecResource slowStart = ExecResource.fromScripts("slow", "sleep 0.5", "true", Duration.ofSeconds(5),
                Duration.ofMillis(100), Map.of());
        slowStart.start(CTX);
        assertEquals(Status.ACTIVE, slowStart.observe().status(), "the start keeps its own, longer timeout");
    }

    @Test
    void daemonWithRedirectedOutputDoesNotHoldUpStart() throws Exception {
        Path pid = pidFile("daemon.pid");
        ExecResource r = ExecResource.fromScripts("app",
                "nohup sleep 30 >/dev/null 2>&1 & echo $! > '" + pid + "'; echo started", "true", LONG, Map.of());
        assertStartsPromptly(r);
        assertTrue(alive(readPid(pid)), "the daemon keeps running");
    }

    @Test
    void daemonInheritingStdoutDoesNotHoldUpStart() throws Exception {
        Path pid = pidFile("daemon.pid");
        ExecResource r = ExecResource.fromScripts("app",
                "sleep 30 & echo $! > '" + pid + "'; echo started", "true", LONG, Map.of());
        assertStartsPromptly(r);
        assertTrue(alive(readPid(pid)), "the daemon keeps running");
    }

    private static void assertStartsPromptly(ExecResource r) throws ResourceException {
        long t0 = System.nanoTime();
        r.start(CTX);
        long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
        assertEquals(Status.ACTIVE, r.observe().status());
        assertEquals("started (exit 0): started", r.observe().detail());
    }

    @Test
    void observeTransitionsAndIdempotence() throws Exception {
        Path counter = dir.resolve("starts");
        Path stopFails = dir.resolve("stop-fails");
        ExecResource r = ExecResource.fromScripts("app",
                "echo x >> '" + counter + "'; echo up",
                "if [ -e '" + stopFails + "' ]; then echo 'cannot stop'; exit 1; fi; echo down",
                LONG, Map.of());
        assertEquals(ResourceState.inactive("not started"), r.observe());

        r.start(CTX);
        assertEquals(ResourceState.active("started (exit 0): up"), r.observe());
        r.start(CTX); // already started: the script does not run again
        assertEquals(1, Files.readAllLines(counter).size());

        r.stop(CTX);
        assertEquals(ResourceState.inactive("stopped (exit 0): down"), r.observe());
        r.stop(CTX);

        r.start(CTX);
        assertEquals(2, Files.readAllLines(counter).size());
        Files.writeString(stopFails, "");
        ResourceException e = assertThrows(ResourceException.class, () -> r.stop(CTX));
        assertEquals("stop script for 'app' exited with status 1: cannot stop", e.getMessage());
        assertEquals(ResourceState.failed(e.getMessage()), r.observe());

        Files.delete(stopFails);
        r.stop(CTX);
        assertEquals(Status.INACTIVE, r.observe().status());
    }

    @Test
    void firstStopRunsTheStopScript() throws Exception {
        Path marker = dir.resolve("stopped");
        ExecResource r = ExecResource.fromScripts("app", "true", "touch '" + marker + "'", LONG, Map.of());
        r.stop(CTX);
        assertTrue(Files.exists(marker));
        assertEquals(Status.INACTIVE, r.observe().status());
    }

    @Test
    void scriptPathAndArgvCommands() throws Exception {
        Path script = dir.resolve("start.sh");
        Files.writeString(script, "#!/bin/sh\necho \"hello from $BATON_RESOURCE\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ExecResource fromPath = ExecResource.fromScripts("db", script.toString(), null, LONG, null);
        fromPath.start(CTX);
        assertEquals("started (exit 0): hello from db", fromPath.observe().detail());
        fromPath.stop(CTX); // no stop script
        assertEquals(Status.INACTIVE, fromPath.observe().status());

        ExecResource argv = new ExecResource("db", List.of(script.toString()), List.of("/bin/false"), LONG, Map.of());
        argv.start(CTX);
        ResourceException e = assertThrows(ResourceException.class, () -> argv.stop(CTX));
        assertEquals("stop script for 'db' exited with status 1 (no output)", e.getMessage());

        ExecResource missing = new ExecResource("db", List.of(dir.resolve("nope").toString()), List.of(), LONG, Map.of());
        ResourceException e2 = assertThrows(ResourceException.class, () -> missing.start(CTX));
        assertTrue(e2.getMessage().startsWith("start script for 'db' exited with status 127"), e2.getMessage());
    }

    @Test
    void scriptLeadsItsOwnProcessGroup() throws Exception {
        Path out = dir.resolve("ids");
        ExecResource r = ExecResource.fromScripts("app",
                "echo $$ > '" + out + "'; cut -d' ' -f5 /proc/$$/stat >> '" + out + "'", "true", LONG, Map.of());
        r.start(CTX);
        List<String> ids = Files.readAllLines(out);
        assertEquals(ids.get(0), ids.get(1), "pid == pgid");
        String ownPgid = Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ")[2];
        assertFalse(ids.get(1).equals(ownPgid), "not the JVM's process group");
    }

    @Test
    void interruptKillsTheProcessGroup() throws Exception {
        Path pid = pidFile("bg.pid");
        ExecResource r = ExecResource.fromScripts("app",
                "sleep 1000 & echo $! > '" + pid + "'; sleep 1000", "true", LONG, Map.of());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptFlag = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                r.start(CTX);
            } catch (Throwable t) {
                thrown.set(t);
            }
            interruptFlag.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pid) && Files.size(pid) > 0);
        long bgPid = readPid(pid);
        caller.interrupt();
        caller.join(10_000);
        assertFalse(caller.isAlive());
        assertInstanceOf(ResourceException.class, thrown.get());
        assertTrue(thrown.get().getMessage().contains("interrupted"), thrown.get().getMessage());
        assertTrue(interruptFlag.get(), "interrupt status is kept");
        assertEquals(Status.FAILED, r.observe().status());
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(bgPid));
    }
}
