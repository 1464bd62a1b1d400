package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE mount spoken to directly through /dev/fuse, without libfuse: open the device, mount(2)
 * it with the descriptor's number, then read whole requests and write whole replies, from as many
 * threads as call {@link #serve}.
 *
 * <p>Why not libfuse: libfuse2 (all jnr-fuse can use) caps requests at 128 KiB and offers no
 * asynchronous direct I/O, so the loop device above this file sent one 128 KiB request at a time,
 * each paying a whole round trip to the peer. Spoken directly, the protocol negotiates 1 MiB
 * requests (max_pages) and asynchronous direct I/O (several requests in flight), and the request
 * and reply buffers are this class's own direct memory: a write's data goes to the store without a
 * copy. Mounting needs CAP_SYS_ADMIN (root), as the loop device does anyway.
 */
final class FuseSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FuseSession.class);

    /** Answers one request: the reply's length in {@code reply}, or {@link #NO_REPLY}. */
    interface Handler {
        int NO_REPLY = -1;

        int handle(ByteBuffer request, int length, ByteBuffer reply);

        /** Whether the last request ended the session (DESTROY). */
        boolean destroyed();
    }

    private final LibC libc;
    private final int fd;
    private final Path dir;
    private volatile boolean closed;

    private FuseSession(LibC libc, int fd, Path dir) {
        this.libc = libc;
        this.fd = fd;
        this.dir = dir;
    }

    /**
     * Opens /dev/fuse and mounts it on {@code dir} (source {@code fsName} in the mount table). The
     * kernel queues FUSE_INIT at once; nothing is answered until {@link #serve} runs.
     */
    static FuseSession mount(Path dir, String fsName) throws DataPathException {
        MountNamespaceHolder.ensureRunning();
        LibC libc;
        try {
            libc = LibC.load();
        } catch (LinkageError | RuntimeException e) {
            throw new DataPathException("cannot call the C library to mount FUSE: " + e.getMessage(), e);
        }
        int fd = libc.open("/dev/fuse", LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = LibC.errno();
            throw new DataPathException("cannot open /dev/fuse: " + libc.strerror(errno)
                    + (errno == LibC.ENOENT ? " (load the fuse kernel module: modprobe fuse)" : ""));
        }
        String options = "fd=" + fd + ",rootmode=40000,user_id=" + ProcessIds.uid() + ",group_id=" + ProcessIds.gid();
        if (libc.mount(fsName, dir.toString(), "fuse", LibC.MS_NOSUID | LibC.MS_NODEV, options) != 0) {
            int errno = LibC.errno();
            libc.close(fd);
            throw new DataPathException("cannot mount FUSE at " + dir + ": " + libc.strerror(errno)
                    + (errno == LibC.EPERM ? " (the mirror disk's data path needs root)" : ""));
        }
        return new FuseSession(libc, fd, dir);
    }

    /**
     * Answers requests until the filesystem is unmounted (the kernel then fails reads with ENODEV)
     * or destroyed. Several threads may serve one session, each call with its own pair of buffers:
     * the kernel hands each request to exactly one reader.
     */
    void serve(Handler handler) throws IOException {
        ByteBuffer request = ByteBuffer.allocateDirect(FuseWire.REQUEST_BUFFER_BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer reply = ByteBuffer.allocateDirect(FuseWire.REQUEST_BUFFER_BYTES).order(ByteOrder.nativeOrder());
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getSystemRuntime();
        Pointer requestPointer = Pointer.wrap(runtime, MemoryIO.getInstance().getDirectBufferAddress(request), request.capacity());
        Pointer replyPointer = Pointer.wrap(runtime, MemoryIO.getInstance().getDirectBufferAddress(reply), reply.capacity());
        while (!closed) {
            long n = libc.read(fd, requestPointer, request.capacity());
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == LibC.ENODEV) {
                    return; // unmounted
                }
                if (errno == LibC.EINTR || errno == LibC.EAGAIN || errno == LibC.ENOENT) {
                    continue; // interrupted, or a request aborted before we read it
                }
                throw new IOException("reading /dev/fuse for " + dir + " failed: " + libc.strerror(errno));
            }
            if (n < FuseWire.IN_HEADER_BYTES) {
                throw new IOException("short FUSE request (" + n + " bytes) for " + dir);
            }
            int length;
            try {
                length = handler.handle(request, (int) n, reply);
            } catch (RuntimeException e) {
                // A request this code cannot answer must still be answered: an unanswered one
                // blocks its caller (the loop device, the filesystem above it) for good.
                length = answerFailed(request, reply, e);
            }
            if (length != Handler.NO_REPLY && libc.write(fd, replyPointer, length) < 0) {
                int errno = LibC.errno();
                if (errno != LibC.ENOENT) { // ENOENT: the request was interrupted meanwhile
                    log.warn("FUSE reply for {} not delivered: {}", dir, libc.strerror(errno));
                }
            }
            if (handler.destroyed()) {
                return;
            }
        }
    }

    private int answerFailed(ByteBuffer request, ByteBuffer reply, RuntimeException e) {
        FuseWire.InHeader h = FuseWire.InHeader.read(request);
        log.error("FUSE request {} (opcode {}) on {} failed; answered EIO", h.unique(), h.opcode(), dir, e);
        if (h.opcode() == FuseWire.FORGET || h.opcode() == FuseWire.BATCH_FORGET || h.opcode() == FuseWire.INTERRUPT) {
            return Handler.NO_REPLY;
        }
        return FuseWire.outHeader(reply, FuseWire.OUT_HEADER_BYTES, -LibC.EIO, h.unique());
    }

    /** Detaches the mount (lazily: a forgotten user cannot block the teardown forever). */
    void unmount() throws DataPathException {
        if (libc.umount2(dir.toString(), LibC.MNT_DETACH) != 0) {
            int errno = LibC.errno();
            if (errno != LibC.EINVAL) { // EINVAL: not mounted (any more)
                throw new DataPathException("cannot unmount the FUSE directory " + dir + ": " + libc.strerror(errno));
            }
        }
    }

    /** Closes the device once the request loop has ended. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
