package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FUSE requests answered: a directory holding one regular file, {@value #FILE_NAME}, whose
 * bytes are a {@link BlockStore}. A loop device is attached to that file; nothing else is meant to
 * use it.
 *
 * <p>Served by several threads at once (see {@link FuseMount}), each with its own request and reply
 * buffers: a write's data is handed to the store straight from the request buffer (a view of it,
 * the only allocation per request), and a read fills the reply buffer. The store orders concurrent
 * writes itself.
 *
 * <p>Durability: the loop driver turns a block-layer flush (ext4's journal commit, an fsync in the
 * mounted filesystem) into an fsync of this file, so FSYNC flushes the store (every replica) and is
 * never a no-op. The close-time FLUSH is not a durability point and stays cheap.
 */
final class BlockStoreFileSystem implements FuseSession.Handler {

    private static final Logger log = LoggerFactory.getLogger(BlockStoreFileSystem.class);

    static final String FILE_NAME = "disk";
    static final String FS_NAME = "baton-mirror";
    /** Nothing here ever changes but by this process: the kernel may cache names and attributes. */
    private static final long VALID_SECONDS = 3600;

    private final BlockStore store;
    private final long size;
    private final boolean directIo;
    private final FuseWire.Attr rootAttr;
    private final FuseWire.Attr fileAttr;
    private final FuseWire.DirEntry[] entries;
    /** Set by {@link #fence}: every later write and fsync fails even if the store ignores fencing. */
    private volatile boolean fenced;
    private volatile boolean destroyed;
    /** The first I/O error is logged with its cause; later ones only counted (no log storm, no allocation). */
    private final AtomicBoolean errorLogged = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();

    BlockStoreFileSystem(BlockStore store, boolean directIo) {
        this.store = store;
        this.size = store.sizeBytes();
        this.directIo = directIo;
        int uid = ProcessIds.uid();
        int gid = ProcessIds.gid();
        this.rootAttr = new FuseWire.Attr(FuseWire.ROOT_ID, 0, 0040700, 2, uid, gid);
        this.fileAttr = new FuseWire.Attr(FuseWire.FILE_ID, size, 0100600, 1, uid, gid);
        this.entries = new FuseWire.DirEntry[] {
                new FuseWire.DirEntry(FuseWire.ROOT_ID, ".", FuseWire.DirEntry.DT_DIR),
                new FuseWire.DirEntry(FuseWire.ROOT_ID, "..", FuseWire.DirEntry.DT_DIR),
                new FuseWire.DirEntry(FuseWire.FILE_ID, FILE_NAME, FuseWire.DirEntry.DT_REG)};
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

    @Override
    public boolean destroyed() {
        return destroyed;
    }

    @Override
    public int handle(ByteBuffer in, int length, ByteBuffer out) {
        FuseWire.InHeader h = FuseWire.InHeader.read(in);
        long unique = h.unique();
        return switch (h.opcode()) {
            case FuseWire.INIT -> init(in, out, unique);
            case FuseWire.LOOKUP -> h.nodeId() == FuseWire.ROOT_ID && FILE_NAME.equals(FuseWire.name(in, length))
                    ? FuseWire.entryOut(out, unique, fileAttr, VALID_SECONDS)
                    : error(out, unique, LibC.ENOENT);
            case FuseWire.GETATTR -> attr(out, unique, h.nodeId());
            case FuseWire.SETATTR -> setattr(in, out, unique, h.nodeId());
            case FuseWire.OPEN -> h.nodeId() == FuseWire.FILE_ID
                    ? FuseWire.openOut(out, unique, directIo ? FuseWire.FOPEN_DIRECT_IO : 0)
                    : error(out, unique, h.nodeId() == FuseWire.ROOT_ID ? LibC.EISDIR : LibC.ENOENT);
            case FuseWire.OPENDIR -> h.nodeId() == FuseWire.ROOT_ID
                    ? FuseWire.openOut(out, unique, 0)
                    : error(out, unique, LibC.ENOTDIR);
            case FuseWire.READ -> read(in, out, unique);
            case FuseWire.WRITE -> write(in, out, unique);
            case FuseWire.READDIR -> {
                FuseWire.ReadIn r = FuseWire.ReadIn.read(in);
                yield FuseWire.readdirOut(out, unique, entries, r.offset(), r.size());
            }
            case FuseWire.FSYNC, FuseWire.FSYNCDIR -> flushStore(out, unique);
            case FuseWire.STATFS -> FuseWire.statfsOut(out, unique, size);
            case FuseWire.FLUSH, FuseWire.RELEASE, FuseWire.RELEASEDIR, FuseWire.ACCESS -> ok(out, unique);
            case FuseWire.FORGET, FuseWire.BATCH_FORGET, FuseWire.INTERRUPT -> NO_REPLY;
            case FuseWire.DESTROY -> {
                destroyed = true;
                yield ok(out, unique);
            }
            default -> error(out, unique, LibC.ENOSYS);
        };
    }

    private int init(ByteBuffer in, ByteBuffer out, long unique) {
        FuseWire.InitIn init = FuseWire.InitIn.read(in);
        if (init.major() != FuseWire.KERNEL_MAJOR) {
            log.error("the kernel speaks FUSE {}.{}, this filesystem {}.{}", init.major(), init.minor(),
                    FuseWire.KERNEL_MAJOR, FuseWire.KERNEL_MINOR);
            return error(out, unique, LibC.EPROTO);
        }
        return FuseWire.initOut(out, unique, init);
    }

    private int attr(ByteBuffer out, long unique, long nodeId) {
        if (nodeId == FuseWire.ROOT_ID) {
            return FuseWire.attrOut(out, unique, rootAttr, VALID_SECONDS);
        }
        if (nodeId == FuseWire.FILE_ID) {
            return FuseWire.attrOut(out, unique, fileAttr, VALID_SECONDS);
        }
        return error(out, unique, LibC.ENOENT);
    }

    /** The size is fixed: a truncate (or an open with O_TRUNC) to another size is refused. */
    private int setattr(ByteBuffer in, ByteBuffer out, long unique, long nodeId) {
        FuseWire.SetattrIn s = FuseWire.SetattrIn.read(in);
        if (nodeId == FuseWire.FILE_ID && (s.valid() & FuseWire.FATTR_SIZE) != 0 && s.size() != size) {
            return error(out, unique, LibC.EPERM);
        }
        return attr(out, unique, nodeId);
    }

    private int read(ByteBuffer in, ByteBuffer out, long unique) {
        FuseWire.ReadIn r = FuseWire.ReadIn.read(in);
        if (r.offset() >= size) {
            return FuseWire.outHeader(out, FuseWire.OUT_HEADER_BYTES, 0, unique);
        }
        int want = (int) Math.min(Math.min(r.size(), FuseWire.MAX_WRITE), size - r.offset());
        int total = 0;
        try {
            while (total < want) {
                ByteBuffer dst = out.duplicate().limit(FuseWire.OUT_HEADER_BYTES + want)
                        .position(FuseWire.OUT_HEADER_BYTES + total);
                int n = store.read(r.offset() + total, dst);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            return FuseWire.outHeader(out, FuseWire.OUT_HEADER_BYTES + total, 0, unique);
        } catch (IOException | RuntimeException e) {
            return ioError(out, unique, "read", r.offset(), e);
        }
    }

    private int write(ByteBuffer in, ByteBuffer out, long unique) {
        FuseWire.WriteIn w = FuseWire.WriteIn.read(in);
        if (fenced) {
            return error(out, unique, LibC.EIO);
        }
        if (w.offset() < 0 || w.offset() + w.size() > size) {
            return error(out, unique, LibC.EFBIG); // the file never grows
        }
        int at = FuseWire.WriteIn.dataPosition();
        try {
            store.write(w.offset(), in.duplicate().limit(at + w.size()).position(at));
            return FuseWire.writeOut(out, unique, w.size());
        } catch (IOException | RuntimeException e) {
            return ioError(out, unique, "write", w.offset(), e);
        }
    }

    private int flushStore(ByteBuffer out, long unique) {
        if (fenced) {
            return error(out, unique, LibC.EIO);
        }
        try {
            store.flush();
            return ok(out, unique);
        } catch (IOException | RuntimeException e) {
            return ioError(out, unique, "fsync", 0, e);
        }
    }

    private static int ok(ByteBuffer out, long unique) {
        return FuseWire.outHeader(out, FuseWire.OUT_HEADER_BYTES, 0, unique);
    }

    private static int error(ByteBuffer out, long unique, int errno) {
        return FuseWire.outHeader(out, FuseWire.OUT_HEADER_BYTES, -errno, unique);
    }

    private int ioError(ByteBuffer out, long unique, String op, long offset, Exception e) {
        errors.incrementAndGet();
        if (errorLogged.compareAndSet(false, true)) {
            // Once only: this thread is in the kernel's writeback path, a log storm there hurts.
            log.error("mirror disk {} at offset {} failed; the application sees EIO (further errors are "
                    + "counted, not logged)", op, offset, e);
        }
        return error(out, unique, LibC.EIO);
    }
}
