package io.baton.node.daemon;

import io.baton.coordinator.ratis.StorageFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A write probe of the data directory: every second, a small file is written and fsynced under
 * {@code DATA/raft} and removed again. Ratis reports a failed log write itself, but only when it
 * writes: a follower whose log stands still, or a disk remounted read-only between entries, would
 * go unnoticed while the node's heartbeats go on committing through the other members (issue 9).
 */
final class DataDirCheck implements AutoCloseable {
    static final String PROBE_FILE = ".baton-write-check";
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Path raftDir;
    private final ScheduledExecutorService timer;

    private DataDirCheck(Path raftDir) {
        this.raftDir = raftDir;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-datadir-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** Probes {@code raftDir} every {@link #INTERVAL}; the first failure goes to {@code failed}, then it stops. */
    static DataDirCheck start(Path raftDir, Consumer<StorageFailure> failed) {
        DataDirCheck check = new DataDirCheck(raftDir);
        check.timer.scheduleWithFixedDelay(() -> probe(raftDir).ifPresent(f -> {
            check.timer.shutdown();
            failed.accept(f);
        }), INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return check;
    }

    /**
     * Writes, fsyncs and removes {@code raftDir/}{@value #PROBE_FILE}: empty if that worked, else
     * the failure (ENOSPC on a full disk, EROFS after a read-only remount, EIO).
     */
    static Optional<StorageFailure> probe(Path raftDir) {
        Path file = raftDir.resolve(PROBE_FILE);
        try {
            // A fresh file each time: a full file system has no block for its data even if it
            // still has an inode for it.
            Files.deleteIfExists(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap("baton write check\n".getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.delete(file);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(StorageFailure.of(e, file.toString()));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
