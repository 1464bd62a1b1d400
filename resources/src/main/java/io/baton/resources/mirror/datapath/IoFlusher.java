package io.baton.resources.mirror.datapath;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the threads that serve the owner's mirror disk as I/O flushers (prctl PR_SET_IO_FLUSHER,
 * Linux 5.6+, needs CAP_SYS_RESOURCE). Why: these threads sit in the kernel's writeback path (the
 * loop device's writes come to them through FUSE); if one of them allocated memory and the kernel
 * reclaimed by writing back dirty pages of that same disk, it would wait for itself. A marked thread
 * allocates without starting filesystem or block I/O, and is not throttled as a dirtier of pages.
 *
 * <p>Best effort: without the capability (or on an older kernel) it logs once and the disk works as
 * before; the heap is sized up front and the hot path allocates little, which is the rest of the
 * defence (MIRROR.md).
 */
public final class IoFlusher {

    private static final Logger log = LoggerFactory.getLogger(IoFlusher.class);
    private static final AtomicBoolean failureLogged = new AtomicBoolean();

    private IoFlusher() {}

    /** Marks the calling thread; false (logged once per process) if the kernel refused. */
    public static boolean markCurrentThread() {
        try {
            LibC libc = LibC.load();
            if (libc.prctl(LibC.PR_SET_IO_FLUSHER, 1, 0, 0, 0) == 0) {
                return true;
            }
            if (failureLogged.compareAndSet(false, true)) {
                log.warn("mirror disk threads are not marked as I/O flushers (prctl PR_SET_IO_FLUSHER: {}); "
                        + "under memory pressure the data path relies on its pre-sized buffers alone",
                        libc.strerror(LibC.errno()));
            }
        } catch (LinkageError | RuntimeException e) {
            if (failureLogged.compareAndSet(false, true)) {
                log.warn("mirror disk threads are not marked as I/O flushers: {}", e.toString());
            }
        }
        return false;
    }

    /** Whether the calling thread is marked (PR_GET_IO_FLUSHER). */
    public static boolean isCurrentThreadMarked() {
        try {
            return LibC.load().prctl(LibC.PR_GET_IO_FLUSHER, 0, 0, 0, 0) == 1;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
