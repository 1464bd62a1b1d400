package io.baton.resources.mirror.datapath;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the writeback of large writes to a data area at once (sync_file_range(2) with
 * SYNC_FILE_RANGE_WRITE: queue the dirty pages for the disk, do not wait), so that the next flush
 * finds little left to write.
 *
 * <p>Why: a mirror writes every block twice, on two replicas; on the owner the filesystem's
 * fsync reaches the mirror as one FLUSH at the end, and without this both replicas would only then
 * start writing all of it to their disks. Started early, that writeback overlaps the replication
 * instead of following it (measured in docs/benchmarks.md). Small writes are left alone: an
 * fdatasync follows them at once anyway, and journal blocks are rewritten soon.
 *
 * <p>Durability does not depend on it: flushes still fdatasync. It is an optimisation, so a failure
 * to open or to call is logged once and otherwise ignored.
 */
public final class WriteBehind implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);

    /** Writes at least this large get their writeback started. */
    public static final int MIN_BYTES = 128 * 1024;

    /** Does nothing (tests, or a host where it cannot work). */
    public static final WriteBehind NONE = new WriteBehind(null, -1, null);

    private final LibC libc;
    private final int fd;
    private final Path path;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private volatile boolean closed;

    private WriteBehind(LibC libc, int fd, Path path) {
        this.libc = libc;
        this.fd = fd;
        this.path = path;
    }

    /** For the data area at {@code path} (an image file or a block device); {@link #NONE} if that fails. */
    public static WriteBehind open(Path path) {
        try {
            LibC libc = LibC.load();
            int fd = libc.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0) {
                log.warn("write-behind for {} is off: open failed: {}", path, libc.strerror(LibC.errno()));
                return NONE;
            }
            return new WriteBehind(libc, fd, path);
        } catch (LinkageError | RuntimeException e) {
            log.warn("write-behind for {} is off: {}", path, e.toString());
            return NONE;
        }
    }

    /** {@code length} bytes were just written at {@code offset}: start their writeback if large. */
    public void written(long offset, long length) {
        if (fd < 0 || closed || length < MIN_BYTES) {
            return;
        }
        if (libc.sync_file_range(fd, offset, length, LibC.SYNC_FILE_RANGE_WRITE) != 0
                && failureLogged.compareAndSet(false, true)) {
            log.warn("write-behind for {} failed (ignored from now on, flushes still sync): {}", path,
                    libc.strerror(LibC.errno()));
        }
    }

    @Override
    public void close() {
        if (fd >= 0 && !closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
