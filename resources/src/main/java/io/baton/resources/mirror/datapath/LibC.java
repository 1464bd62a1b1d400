package io.baton.resources.mirror.datapath;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few C library calls Java cannot express: for the kernel FUSE session (/dev/fuse is a character
 * device read and written one whole request or reply per call, and mounting it needs mount(2) with
 * the descriptor's number in the options), sync_file_range(2) for {@link WriteBehind}, and prctl(2)
 * for {@link IoFlusher}. errno is saved after every call. Public only
 * because jnr-ffi implements it in a class loader of its own.
 */
public interface LibC {

    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;
    int MNT_DETACH = 2;

    int EPERM = 1;
    int ENOENT = 2;
    int EINTR = 4;
    int EIO = 5;
    int EAGAIN = 11;
    int ENODEV = 19;
    int ENOTDIR = 20;
    int EISDIR = 21;
    int EINVAL = 22;
    int EFBIG = 27;
    int ENOSYS = 38;
    int EPROTO = 71;

    int open(String path, int flags);

    int close(int fd);

    @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @ssize_t long write(int fd, Pointer buf, @size_t long count);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    int SYNC_FILE_RANGE_WRITE = 2;
    int O_RDONLY = 0;

    int sync_file_range(int fd, long offset, long nbytes, int flags);

    int PR_SET_IO_FLUSHER = 57;
    int PR_GET_IO_FLUSHER = 58;

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    String strerror(int errnum);

    /** The loaded library, or an error naming why it cannot be (the caller reports it). */
    static LibC load() {
        return Holder.LIBC;
    }

    /** errno of this thread's last call through {@link #load()}. */
    static int errno() {
        return Runtime.getRuntime(Holder.LIBC).getLastError();
    }

    /** Lazily loaded once, on first use. */
    final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");

        private Holder() {}
    }
}
