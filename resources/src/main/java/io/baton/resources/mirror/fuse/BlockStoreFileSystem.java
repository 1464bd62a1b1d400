package io.baton.resources.mirror.fuse;

import io.baton.resources.mirror.BlockStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The FUSE callbacks: a directory holding one regular file, {@value #FILE_NAME}, whose bytes are a
 * {@link BlockStore}. A loop device is attached to that file; nothing else is meant to use it.
 *
 * <p>Served single-threaded ({@code -s}, see {@link FuseMount}): one scratch buffer is reused for
 * every request, so the hot path allocates nothing, and the store sees writes in order.
 *
 * <p>Durability: the loop driver turns a block-layer flush (ext4's journal commit, an fsync in the
 * mounted filesystem) into an fsync of this file, so {@link #fsync} flushes the store (every
 * replica) and is never a no-op. The close-time {@link #flush} is not a durability point and stays
 * cheap.
 */
final class BlockStoreFileSystem extends FuseStubFS {

    private static final Logger log = LoggerFactory.getLogger(BlockStoreFileSystem.class);

    static final String FILE_NAME = "disk";
    static final String FS_NAME = "baton-mirror";
    private static final String FILE_PATH = "/" + FILE_NAME;
    /** libfuse2's largest request (max_write, and reads are split the same way). */
    static final int MAX_REQUEST = 128 * 1024;

    private final BlockStore store;
    private final long size;
    private final int ownerUid;
    private final int ownerGid;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(MAX_REQUEST);
    /**
     * The scratch buffer's memory as a native pointer, so that copies from and to the kernel's
     * request buffer are one memcpy. (Pointer.wrap of the ByteBuffer itself copies byte by byte.)
     * The {@link #scratch} field keeps the memory alive.
     */
    private final Pointer scratchPointer = Pointer.wrap(jnr.ffi.Runtime.getSystemRuntime(),
            MemoryIO.getInstance().getDirectBufferAddress(scratch), MAX_REQUEST);
    /** Set by {@link #fence}: every later write and fsync fails even if the store ignores fencing. */
    private volatile boolean fenced;
    /** The first I/O error is logged with its cause; later ones only counted (no log storm, no allocation). */
    private final AtomicBoolean errorLogged = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();

    BlockStoreFileSystem(BlockStore store) {
        this.store = store;
        this.size = store.sizeBytes();
        int[] ids = processIds();
        this.ownerUid = ids[0];
        this.ownerGid = ids[1];
    }

    /** From any thread; returns at once. Writes and fsyncs fail with EIO from now on. */
    void fence() {
        fenced = true;
        store.fence();
    }

    /** How many requests failed with EIO. */
    long errorCount() {
        return errors.get();
    }

    /** Shows as the source in mountinfo ("baton-mirror"), so that leftovers are recognisable. */
    @Override
    protected String getFSName() {
        return FS_NAME;
    }

    /** Set only by {@link #unmountNow}: see {@link #umount}. */
    private volatile boolean unmountAllowed;

    /**
     * jnr-fuse registers a JVM shutdown hook per mount that calls this method. On SIGTERM that hook
     * would pull the FUSE file from under a still-mounted filesystem while the daemon's own orderly
     * stop (unmount, detach loop, then FUSE) runs in its own hook; so the hook's call does nothing and
     * only {@link #unmountNow} unmounts. A daemon that dies without stopping leaves the mount to the
     * leftover cleanup at its next start.
     */
    @Override
    public void umount() {
        if (unmountAllowed) {
            super.umount();
        }
    }

    /** Unmounts the FUSE directory now (the teardown's last step). */
    void unmountNow() {
        unmountAllowed = true;
        super.umount();
    }

    @Override
    public int getattr(String path, FileStat stat) {
        if ("/".equals(path)) {
            stat.st_mode.set(FileStat.S_IFDIR | 0700);
            stat.st_nlink.set(2);
        } else if (FILE_PATH.equals(path)) {
            stat.st_mode.set(FileStat.S_IFREG | 0600);
            stat.st_nlink.set(1);
            stat.st_size.set(size);
            stat.st_blocks.set((size + 511) / 512);
            stat.st_blksize.set(4096);
        } else {
            return -ErrorCodes.ENOENT();
        }
        stat.st_uid.set(ownerUid);
        stat.st_gid.set(ownerGid);
        return 0;
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        if (!"/".equals(path)) {
            return -ErrorCodes.ENOTDIR();
        }
        filter.apply(buf, ".", null, 0);
        filter.apply(buf, "..", null, 0);
        filter.apply(buf, FILE_NAME, null, 0);
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return FILE_PATH.equals(path) ? 0 : -ErrorCodes.ENOENT();
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        if (offset >= this.size) {
            return 0;
        }
        int total = 0;
        long want = Math.min(size, this.size - offset);
        try {
            while (total < want) {
                int chunk = (int) Math.min(MAX_REQUEST, want - total);
                scratch.clear().limit(chunk);
                int n = store.read(offset + total, scratch);
                if (n <= 0) {
                    break;
                }
                buf.transferFrom(total, scratchPointer, 0, n);
                total += n;
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return ioError("read", offset, e);
        }
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        if (fenced) {
            return -ErrorCodes.EIO();
        }
        if (offset < 0 || offset + size > this.size) {
            return -ErrorCodes.EFBIG(); // the file never grows
        }
        int done = 0;
        try {
            while (done < size) {
                int chunk = (int) Math.min(MAX_REQUEST, size - done);
                buf.transferTo(done, scratchPointer, 0, chunk);
                scratch.clear().limit(chunk);
                store.write(offset + done, scratch);
                done += chunk;
            }
            return done;
        } catch (IOException | RuntimeException e) {
            return ioError("write", offset, e);
        }
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return flushStore(path);
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        return flushStore(path);
    }

    /** Called on every close of a descriptor: not a durability point (fsync is). */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return resize(path, size);
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return resize(path, size);
    }

    /** The size is fixed: an open with O_TRUNC or a truncate to another size is refused. */
    private int resize(String path, long newSize) {
        if (!FILE_PATH.equals(path)) {
            return -ErrorCodes.ENOENT();
        }
        return newSize == size ? 0 : -ErrorCodes.EPERM();
    }

    private int flushStore(String path) {
        if (fenced) {
            return -ErrorCodes.EIO();
        }
        try {
            store.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            return ioError("fsync", 0, e);
        }
    }

    private int ioError(String op, long offset, Exception e) {
        errors.incrementAndGet();
        if (errorLogged.compareAndSet(false, true)) {
            // Once only: this thread is in the kernel's writeback path, a log storm there hurts.
            log.error("mirror disk {} at offset {} failed; the application sees EIO (further errors are "
                    + "counted, not logged)", op, offset, e);
        }
        return -ErrorCodes.EIO();
    }

    /** The daemon's own uid and gid (owner of /proc/self), so the file looks like it belongs to it. */
    private static int[] processIds() {
        try {
            Path self = Path.of("/proc/self");
            return new int[] {(Integer) Files.getAttribute(self, "unix:uid"), (Integer) Files.getAttribute(self, "unix:gid")};
        } catch (IOException | UnsupportedOperationException e) {
            return new int[] {0, 0};
        }
    }
}
