package io.baton.resources.mirror.fuse;

import io.baton.resources.mirror.BlockStore;
import io.baton.resources.mirror.HostCommand;

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
 * A {@link BlockStore} served as the file {@code <dir>/disk} by a FUSE filesystem in this process.
 *
 * <p>The FUSE request loop runs on its own thread ({@value #THREAD_NAME}); {@link #mount} returns
 * once the file is visible with the store's size. Options (measured in docs/benchmarks.md):
 * <ul>
 *   <li>{@code -s}: one request thread. libfuse2's multithreaded loop starts and stops threads all
 *       the time, which costs about half the throughput; the store also wants writes in order.</li>
 *   <li>{@code big_writes,max_write=131072}: 128 KiB requests instead of 4 KiB (libfuse2's cap).</li>
 *   <li>{@code direct_io} (optional): no second page cache under the loop device.</li>
 *   <li>{@code auto_unmount} (optional): fusermount unmounts when this process dies.</li>
 *   <li>never a writeback cache: the kernel would acknowledge writes the store has not seen.</li>
 * </ul>
 */
public final class FuseMount implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);

    static final String THREAD_NAME = "mirror-fuse";
    private static final Duration MOUNT_WAIT = Duration.ofSeconds(10);
    private static final Duration UNMOUNT_WAIT = Duration.ofSeconds(10);

    /** Mount options that are a choice (the rest are fixed, see the class comment). */
    public record Options(boolean directIo, boolean autoUnmount) {
        /**
         * What the data path uses; see docs/benchmarks.md, "Mirror disk data path". No
         * auto_unmount: after a crash it unmounts the FUSE directory lazily, and losetup then shows
         * the loop device's backing file as a bare "/disk", so leftovers could no longer be found
         * by path. A dead FUSE mount left in place is harmless (I/O on it fails) and
         * {@link DataPath#cleanupLeftovers} removes it.
         */
        public static Options defaults() {
            return new Options(true, false);
        }
    }

    private final Path dir;
    private final BlockStoreFileSystem fs;
    private final Thread loop;
    private final AtomicReference<Throwable> loopFailure = new AtomicReference<>();
    private volatile boolean loopEnded;

    private FuseMount(Path dir, BlockStoreFileSystem fs, Thread loop) {
        this.dir = dir;
        this.fs = fs;
        this.loop = loop;
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
        BlockStoreFileSystem fs = new BlockStoreFileSystem(store);
        String[] args = fuseArgs(options);
        FuseMount[] self = new FuseMount[1];
        Thread thread = new Thread(() -> self[0].serve(args), THREAD_NAME);
        thread.setDaemon(true);
        FuseMount mount = new FuseMount(absolute, fs, thread);
        self[0] = mount;
        thread.start();
        mount.awaitVisible(store.sizeBytes());
        log.info("mirror disk served at {} ({} bytes, options {})", mount.file(), store.sizeBytes(), String.join(" ", args));
        return mount;
    }

    static String[] fuseArgs(Options options) {
        List<String> opts = new ArrayList<>(List.of("big_writes", "max_write=" + BlockStoreFileSystem.MAX_REQUEST));
        if (options.directIo()) {
            opts.add("direct_io");
        }
        if (options.autoUnmount()) {
            opts.add("auto_unmount");
        }
        return new String[] {"-s", "-o", String.join(",", opts)};
    }

    /** The file to attach a loop device to. */
    public Path file() {
        return dir.resolve(BlockStoreFileSystem.FILE_NAME);
    }

    public Path dir() {
        return dir;
    }

    /** Whether the request loop still runs. */
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
     * request loop to end. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (!loopEnded || MountTable.isMountPoint(dir)) {
            try {
                fs.unmountNow(); // fuse_exit, then fusermount -u -z
            } catch (RuntimeException e) {
                log.warn("jnr-fuse unmount of {} failed, trying fusermount: {}", dir, e.toString());
            }
            if (MountTable.isMountPoint(dir)) {
                HostCommand.Result r = HostCommand.run("fusermount", "-u", "-z", dir.toString());
                if (!r.ok() && MountTable.isMountPoint(dir)) {
                    throw new DataPathException("cannot unmount the FUSE directory " + dir + ": " + r.describeFailure());
                }
            }
        }
        try {
            loop.join(UNMOUNT_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataPathException("interrupted while waiting for the FUSE loop of " + dir + " to end", e);
        }
        if (loop.isAlive()) {
            throw new DataPathException("the FUSE loop of " + dir + " did not end within " + UNMOUNT_WAIT.toSeconds() + " s");
        }
    }

    private void serve(String[] args) {
        try {
            fs.mount(dir, true, false, args); // blocking: runs the request loop on this thread
        } catch (Throwable t) {
            loopFailure.set(t);
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
                throw new DataPathException("FUSE mount at " + dir + " failed"
                        + (t != null ? ": " + t.getMessage() : " (the request loop ended)"), t);
            }
            if (MountTable.isMountPoint(dir) && Files.exists(file) && Files.size(file) == size) {
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
            // Mounting is asynchronous in libfuse (the loop thread calls mount(2) itself): poll briefly.
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
