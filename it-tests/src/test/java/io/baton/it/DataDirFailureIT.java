package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The owner's data directory fails under it (issue 9, finding 5): filled up on a small tmpfs, or
 * made read-only by the kernel after a file-system error. The owner must stop as if it had crashed (probe port closed and the
 * application stopped, one line with the path and errno, exit status 74) so that the group comes
 * online on the other node; an observer sees both probe ports open at no time. Needs root (mount).
 */
class DataDirFailureIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(60);
    /** The write probe runs every second; fencing and the stop script take a moment more. */
    static final Duration EXIT_WITHIN = Duration.ofSeconds(10);

    Path dir;
    LocalCluster cluster;
    ProbeObserver observer;
    final List<Path> mounts = new ArrayList<>();

    @BeforeEach
    void workDir(TestInfo info) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs or a read-only bind mount for the data directory needs root");
        dir = Path.of("target", "it-runs", "datadir-" + info.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (Files.exists(dir)) {
            unmountUnder(dir);
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("data").resolve("server1"));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (observer != null) {
                observer.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            for (Path m : mounts) {
                if (run("umount", m.toString()) != 0) {
                    run("umount", "-l", m.toString());
                }
            }
        }
    }

    @Test
    void aFullDataDirectoryStopsTheOwnerAndTheOtherTakesOver() throws Exception {
        Path data1 = dir.resolve("data").resolve("server1");
        mount(data1, "-t", "tmpfs", "-o", "size=4m", "tmpfs", data1.toString());
        start("127.0.71");

        // Fill the file system to the last block, as a runaway log or another program would.
        try (OutputStream out = Files.newOutputStream(data1.resolve("filler"))) {
            byte[] block = new byte[64 * 1024];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left on device"), full.toString());
        }

        ownerStopsAndServer2TakesOver("No space left on device (ENOSPC)");

        // Restarted (as systemd would) on the still-full disk, it does not come back: refused at start
        // (1) or, when the write probe at start still found a page, stopped again once Ratis writes (74).
        int linesBefore = Files.readAllLines(dir.resolve("logs").resolve("server1.log")).size();
        cluster.start("server1");
        Process again = cluster.process("server1");
        assertTrue(again.waitFor(30, TimeUnit.SECONDS), "server1 still runs on a full data directory");
        assertTrue(again.exitValue() == 1 || again.exitValue() == 74, "exit status " + again.exitValue());
        List<String> log = Files.readAllLines(dir.resolve("logs").resolve("server1.log"));
        List<String> after = log.subList(linesBefore, log.size());
        assertTrue(after.stream().anyMatch(l -> l.contains("baton-node: data directory " + data1)
                && l.contains("No space left on device (ENOSPC)")), () -> String.join("\n", after));
        assertFalse(observer.open("server1"));
        assertEquals(List.of(), observer.violations());
    }

    /**
     * ext4 with {@code errors=remount-ro}, as most distributions mount it, after a file-system error:
     * the kernel makes it read-only under the running node. (A read-only bind remount cannot be done
     * here: the kernel refuses it with EBUSY while Ratis holds its log open for writing.) The error
     * is raised through ext4's own test hook, {@code /sys/fs/ext4/DEV/trigger_fs_error}.
     */
    @Test
    void aFileSystemRemountedReadOnlyAfterAnErrorStopsTheOwnerAndTheOtherTakesOver() throws Exception {
        Path data1 = dir.resolve("data").resolve("server1");
        Path image = dir.resolve("server1-data.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        if (run("mkfs.ext4", "-q", "-F", image.toString()) != 0) {
            Assumptions.abort("mkfs.ext4 is not available");
        }
        mount(data1, "-o", "loop,errors=remount-ro", image.toString(), data1.toString());
        String device = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].equals(data1.toString())) {
                device = Path.of(f[0]).getFileName().toString();
            }
        }
        Path trigger = Path.of("/sys/fs/ext4", String.valueOf(device), "trigger_fs_error");
        Assumptions.assumeTrue(Files.exists(trigger), "this kernel has no " + trigger);
        start("127.0.72");

        Files.writeString(trigger, "DataDirFailureIT: simulated error\n");
        assertTrue(Files.readString(Path.of("/proc/self/mounts")).contains(data1 + " ext4 ro")
                || Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                        .anyMatch(l -> l.contains(data1.toString()) && l.contains("emergency_ro")),
                "the kernel made the file system read-only");

        ownerStopsAndServer2TakesOver("Read-only file system (EROFS)");
    }

    private void start(String subnet) throws Exception {
        cluster = new LocalCluster(dir, subnet, HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);
        observer = new ProbeObserver(cluster, 120_000);
        observer.awaitFreshRound();
        observer.awaitOpen("server1"); // server1 owns the group at first
    }

    private void ownerStopsAndServer2TakesOver(String reason) throws Exception {
        long failedAt = System.nanoTime();
        Process owner = cluster.process("server1");
        assertTrue(owner.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS),
                () -> "server1 still runs " + EXIT_WITHIN + " after its data directory failed\n" + cluster.logTail(40));
        long exitMs = (System.nanoTime() - failedAt) / 1_000_000;
        assertEquals(74, owner.exitValue(), () -> cluster.logTail(40));

        // Fenced as designed before it exited: the stop script ran (a crash would leave the app running).
        assertFalse(cluster.appRunning("server1"), () -> "the application still runs on server1\n" + cluster.logTail(40));
        List<String> log = Files.readAllLines(dir.resolve("logs").resolve("server1.log"));
        // The probe port first, then the application's stop script, then the one line.
        List<String> failStop = log.stream().filter(l -> l.contains("[baton-storage-failure]")).toList();
        assertTrue(!failStop.isEmpty() && failStop.get(0).contains("Probe port 'nlb-probe' fenced"),
                () -> String.join("\n", failStop));
        int stopScript = indexOf(failStop, "Running stop script for 'app'");
        assertTrue(stopScript > 0 && stopScript < indexOf(failStop, "stopping this node"), () -> String.join("\n", failStop));
        List<String> lines = log.stream().filter(l -> l.contains("stopping this node")).toList();
        assertEquals(1, lines.size(), () -> String.join("\n", log));
        assertTrue(lines.get(0).contains("baton-node: data directory " + dir.resolve("data").resolve("server1"))
                && lines.get(0).contains(reason), lines.get(0));
        assertEquals(List.of(), tracedBaton(log), "Baton's own log lines carry no stack trace");

        cluster.awaitOnline("server2", Duration.ofSeconds(30));
        long onlineMs = (System.nanoTime() - failedAt) / 1_000_000;
        observer.awaitFreshRound();
        observer.awaitOpen("server2");
        assertFalse(observer.open("server1"));
        assertTrue(cluster.appRunning("server2"));
        assertEquals(List.of(), observer.violations(), () -> "S1 violated\n" + cluster.logTail(60));
        System.out.printf("DataDirFailureIT: %s: server1 exited after %d ms, server2 online after %d ms%n",
                reason, exitMs, onlineMs);
    }

    /**
     * The log lines followed by a stack trace, except Ratis's: Ratis logs the failed write itself
     * (the log worker, the failed append) before it tells the state machine, once per failure.
     */
    private static List<String> tracedBaton(List<String> log) {
        List<String> traced = new ArrayList<>();
        for (int i = 0; i + 1 < log.size(); i++) {
            boolean header = log.get(i).matches("^\\d\\d:\\d\\d:.*");
            // A trace's first line names the exception's class (JvmPauseMonitor's second line does not).
            String next = log.get(i + 1);
            boolean trace = next.startsWith("\tat ") || next.matches("^([\\w$]+\\.)+[\\w$]+(Exception|Error)\\b.*");
            if (header && trace && !log.get(i).contains(" SegmentedRaftLog") && !log.get(i).contains(" GrpcServerProtocolService")) {
                traced.add(log.get(i));
            }
        }
        return traced;
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private void mount(Path at, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mount"));
        cmd.addAll(List.of(args));
        if (run(cmd.toArray(String[]::new)) != 0) {
            Assumptions.abort("cannot mount " + at + " (" + String.join(" ", cmd) + " failed)");
        }
        mounts.add(at);
    }

    /** Unmounts whatever an earlier, interrupted run left mounted under {@code root}. */
    private static void unmountUnder(Path root) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].startsWith(root.toString())) {
                run("umount", "-l", f[1]);
            }
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
