package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockStore} served as the file {@code <dir>/disk} by a FUSE filesystem in this process,
 * spoken to the kernel directly ({@link FuseSession}, no libfuse).
 *
 * <p>{@value #REQUEST_THREADS} threads ({@value #THREAD_NAME}-N) answer requests; {@link #mount}
 * returns once the file is visible with the store's size. Fixed choices (measured in
 * docs/benchmarks.md): requests up to 1 MiB, asynchronous direct I/O (with the loop device's
 * direct I/O the kernel keeps several requests in flight, and the store overlaps their round trips
 * to the peer), never a writeback cache (the kernel would acknowledge writes the store has not
 * seen), and by default {@code direct_io} on the file (no second page cache under the loop device).
 */
public final class FuseMount implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);

    static final String THREAD_NAME = "mirror-fuse";
    /**
     * Request threads. With the loop device's direct I/O the kernel keeps several writes in flight
     * (3.2 on average with 4 threads, counted in the store); 4 gave +30 % sequential throughput over
     * one, 8 a few percent more (docs/benchmarks.md). Each has two 1 MiB buffers.
     */
    static final int REQUEST_THREADS = 8;
    private static final Duration MOUNT_WAIT = Duration.ofSeconds(10);
    private static final Duration UNMOUNT_WAIT = Duration.ofSeconds(10);

    /** Mount options that are a choice. */
    public record Options(boolean directIo) {
        /** What the data path uses; see docs/benchmarks.md, "Mirror disk data path". */
        public static Options defaults() {
            return new Options(true);
        }
    }

    private final Path dir;
    private final BlockStoreFileSystem fs;
    private final FuseSession session;
    private final List<Thread> loops;
    private final AtomicReference<Throwable> loopFailure = new AtomicReference<>();
    private volatile boolean loopEnded;

    private FuseMount(Path dir, BlockStoreFileSystem fs, FuseSession session) {
        this.dir = dir;
        this.fs = fs;
        this.session = session;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < REQUEST_THREADS; i++) {
            Thread t = new Thread(this::serve, THREAD_NAME + "-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        this.loops = List.copyOf(threads);
    }

    /**
     * Mounts {@code store} as {@code dir/disk}: {@code dir} must be an empty directory that is not
     * a mount point. Returns once the file is visible, or throws (and leaves nothing mounted).
     */
    public static FuseMount mount(BlockStore store, Path dir, Options options) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Filesystems.checkMountPoint(absolute, "FUSE directory");
        try (var entries = Files.list(absolute)) {
            if (entries.findAny().isPresent()) {
                throw new DataPathException("FUSE directory " + absolute + " is not empty");
            }
        }
        BlockStoreFileSystem fs = new BlockStoreFileSystem(store, options.directIo());
        FuseMount mount = new FuseMount(absolute, fs, FuseSession.mount(absolute, BlockStoreFileSystem.FS_NAME));
        mount.loops.forEach(Thread::start);
        mount.awaitVisible(store.sizeBytes());
        log.info("mirror disk served at {} ({} bytes, {})", mount.file(), store.sizeBytes(),
                options.directIo() ? "direct_io" : "page cache");
        return mount;
    }

    /** The file to attach a loop device to. */
    public Path file() {
        return dir.resolve(BlockStoreFileSystem.FILE_NAME);
    }

    public Path dir() {
        return dir;
    }

    /** Whether every request thread still runs. */
    public boolean isServing() {
        return !loopEnded;
    }

    /** From any thread, at once: later writes and fsyncs fail with EIO. */
    public void fence() {
        fs.fence();
    }

    /** Requests that failed with EIO so far. */
    public long errorCount() {
        return fs.errorCount();
    }

    /**
     * Unmounts (lazily, so a loop device someone forgot cannot block us forever) and waits for the
     * request loop to end; the kernel ends it once the last user of the mount is gone. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (MountTable.isMountPoint(dir)) {
            session.unmount();
        }
        long deadline = System.nanoTime() + UNMOUNT_WAIT.toNanos();
        try {
            for (Thread t : loops) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataPathException("interrupted while waiting for the FUSE loop of " + dir + " to end", e);
        }
        if (loops.stream().anyMatch(Thread::isAlive)) {
            // The descriptor stays open: closing it under a blocked read could hand its number to
            // another file while the read still uses it.
            throw new DataPathException("the FUSE loop of " + dir + " did not end within " + UNMOUNT_WAIT.toSeconds()
                    + " s (is the loop device on " + file() + " still attached?)");
        }
        session.close();
    }

    private void serve() {
        IoFlusher.markCurrentThread();
        try {
            session.serve(fs);
        } catch (Throwable t) {
            loopFailure.set(t);
            log.error("the FUSE request loop of {} failed", dir, t);
        } finally {
            loopEnded = true;
        }
    }

    private void awaitVisible(long size) throws IOException {
        long deadline = System.nanoTime() + MOUNT_WAIT.toNanos();
        Path file = file();
        while (true) {
            if (loopEnded) {
                Throwable t = loopFailure.get();
                close();
                throw new DataPathException("FUSE mount at " + dir + " failed"
                        + (t != null ? ": " + t.getMessage() : " (the request loop ended)"), t);
            }
            // mount(2) returned, so the mount is in place; the stat is answered by the loop thread.
            if (Files.exists(file) && Files.size(file) == size) {
                return;
            }
            if (System.nanoTime() > deadline) {
                try {
                    close();
                } catch (IOException e) {
                    log.warn("cleanup after a failed FUSE mount at {}: {}", dir, e.getMessage());
                }
                throw new DataPathException("FUSE file " + file + " did not appear within " + MOUNT_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DataPathException("interrupted while mounting FUSE at " + dir, e);
            }
        }
    }
}
