package io.baton.resources.mirror.datapath;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Linux FUSE kernel protocol, as far as a one-file filesystem needs it: opcodes, the request
 * and reply headers, and the structures this filesystem sends (layouts from the kernel's
 * {@code include/uapi/linux/fuse.h}, protocol 7.31). Buffers are in the machine's byte order, as
 * the kernel reads and writes them.
 *
 * <p>Pure: everything here reads or writes a {@link ByteBuffer} at absolute positions, so it is
 * tested without a kernel.
 */
final class FuseWire {

    private FuseWire() {}

    static final int KERNEL_MAJOR = 7;
    /** The protocol minor this code speaks; 7.28 brought max_pages (requests above 128 KiB). */
    static final int KERNEL_MINOR = 31;

    static final long ROOT_ID = 1;
    static final long FILE_ID = 2;

    // Opcodes.
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int ACCESS = 34;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;

    // INIT flags this filesystem asks for (only those the kernel offers are granted).
    static final int FLAG_BIG_WRITES = 1 << 5;
    static final int FLAG_MAX_PAGES = 1 << 22;
    /** Direct I/O from an asynchronous caller (the loop device with direct-io) stays asynchronous. */
    static final int FLAG_ASYNC_DIO = 1 << 15;

    /** fuse_open_out.open_flags: bypass the page cache (no second cache under the loop device). */
    static final int FOPEN_DIRECT_IO = 1;
    /** fuse_setattr_in.valid: the size is to change. */
    static final int FATTR_SIZE = 1 << 3;

    static final int IN_HEADER_BYTES = 40;
    static final int OUT_HEADER_BYTES = 16;
    static final int WRITE_IN_BYTES = 40;
    static final int ATTR_OUT_BYTES = 104;
    static final int ENTRY_OUT_BYTES = 128;
    static final int OPEN_OUT_BYTES = 16;
    static final int WRITE_OUT_BYTES = 8;
    static final int STATFS_OUT_BYTES = 80;
    static final int INIT_OUT_BYTES = 64;

    /** Largest request data: 256 pages, as negotiated in INIT (the kernel's default page limit). */
    static final int MAX_PAGES = 256;
    static final int MAX_WRITE = MAX_PAGES * 4096;
    /** /dev/fuse refuses a read buffer smaller than a whole WRITE request. */
    static final int REQUEST_BUFFER_BYTES = MAX_WRITE + 4096;

    /** The fixed part of every request (fuse_in_header). */
    record InHeader(int length, int opcode, long unique, long nodeId) {
        static InHeader read(ByteBuffer b) {
            return new InHeader(b.getInt(0), b.getInt(4), b.getLong(8), b.getLong(16));
        }
    }

    /** What the kernel offers in FUSE_INIT. */
    record InitIn(int major, int minor, int maxReadahead, int flags) {
        static InitIn read(ByteBuffer b) {
            int at = IN_HEADER_BYTES;
            return new InitIn(b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12));
        }
    }

    /** fuse_read_in (READ, READDIR): the offset and the most bytes wanted. */
    record ReadIn(long offset, int size) {
        static ReadIn read(ByteBuffer b) {
            int at = IN_HEADER_BYTES;
            return new ReadIn(b.getLong(at + 8), b.getInt(at + 16));
        }
    }

    /** fuse_write_in: the data follows it. */
    record WriteIn(long offset, int size) {
        static WriteIn read(ByteBuffer b) {
            int at = IN_HEADER_BYTES;
            return new WriteIn(b.getLong(at + 8), b.getInt(at + 16));
        }

        static int dataPosition() {
            return IN_HEADER_BYTES + WRITE_IN_BYTES;
        }
    }

    /** fuse_setattr_in: which fields change, and the new size. */
    record SetattrIn(int valid, long size) {
        static SetattrIn read(ByteBuffer b) {
            int at = IN_HEADER_BYTES;
            return new SetattrIn(b.getInt(at), b.getLong(at + 16));
        }
    }

    /** The NUL-terminated name after the header (LOOKUP). */
    static String name(ByteBuffer b, int requestLength) {
        int end = IN_HEADER_BYTES;
        while (end < requestLength && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - IN_HEADER_BYTES];
        b.get(IN_HEADER_BYTES, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Writes fuse_out_header at 0; returns {@code length}. */
    static int outHeader(ByteBuffer b, int length, int negativeErrno, long unique) {
        b.putInt(0, length).putInt(4, negativeErrno).putLong(8, unique);
        return length;
    }

    /** Attributes of one inode (fuse_attr, 88 bytes). */
    record Attr(long ino, long size, int mode, int nlink, int uid, int gid) {
        void write(ByteBuffer b, int at) {
            b.putLong(at, ino).putLong(at + 8, size).putLong(at + 16, (size + 511) / 512);
            for (int i = 24; i < 60; i += 4) {
                b.putInt(at + i, 0); // times: the epoch; nothing here has a meaningful time
            }
            b.putInt(at + 60, mode).putInt(at + 64, nlink).putInt(at + 68, uid).putInt(at + 72, gid)
                    .putInt(at + 76, 0) // rdev
                    .putInt(at + 80, 4096) // blksize
                    .putInt(at + 84, 0); // flags
        }
    }

    /** GETATTR/SETATTR reply body (fuse_attr_out) after the header; returns the reply length. */
    static int attrOut(ByteBuffer b, long unique, Attr attr, long validSeconds) {
        int at = OUT_HEADER_BYTES;
        b.putLong(at, validSeconds).putInt(at + 8, 0).putInt(at + 12, 0);
        attr.write(b, at + 16);
        return outHeader(b, OUT_HEADER_BYTES + ATTR_OUT_BYTES, 0, unique);
    }

    /** LOOKUP reply (fuse_entry_out); returns the reply length. */
    static int entryOut(ByteBuffer b, long unique, Attr attr, long validSeconds) {
        int at = OUT_HEADER_BYTES;
        b.putLong(at, attr.ino()).putLong(at + 8, 1) // generation
                .putLong(at + 16, validSeconds).putLong(at + 24, validSeconds)
                .putInt(at + 32, 0).putInt(at + 36, 0);
        attr.write(b, at + 40);
        return outHeader(b, OUT_HEADER_BYTES + ENTRY_OUT_BYTES, 0, unique);
    }

    /** OPEN/OPENDIR reply (fuse_open_out); returns the reply length. */
    static int openOut(ByteBuffer b, long unique, int openFlags) {
        int at = OUT_HEADER_BYTES;
        b.putLong(at, 0).putInt(at + 8, openFlags).putInt(at + 12, 0);
        return outHeader(b, OUT_HEADER_BYTES + OPEN_OUT_BYTES, 0, unique);
    }

    /** WRITE reply (fuse_write_out); returns the reply length. */
    static int writeOut(ByteBuffer b, long unique, int written) {
        b.putInt(OUT_HEADER_BYTES, written).putInt(OUT_HEADER_BYTES + 4, 0);
        return outHeader(b, OUT_HEADER_BYTES + WRITE_OUT_BYTES, 0, unique);
    }

    /** STATFS reply (fuse_kstatfs) for a filesystem holding one file of {@code size} bytes, full. */
    static int statfsOut(ByteBuffer b, long unique, long size) {
        int at = OUT_HEADER_BYTES;
        for (int i = 0; i < STATFS_OUT_BYTES; i += 4) {
            b.putInt(at + i, 0);
        }
        b.putLong(at, (size + 4095) / 4096) // blocks; free and available stay 0
                .putLong(at + 24, 1) // files
                .putInt(at + 40, 4096) // bsize
                .putInt(at + 44, 255) // namelen
                .putInt(at + 48, 4096); // frsize
        return outHeader(b, OUT_HEADER_BYTES + STATFS_OUT_BYTES, 0, unique);
    }

    /**
     * INIT reply (fuse_init_out): protocol 7.{@link #KERNEL_MINOR} or the kernel's if older, the
     * requested flags the kernel offered, 1 MiB writes in up to {@link #MAX_PAGES} pages.
     */
    static int initOut(ByteBuffer b, long unique, InitIn in) {
        int at = OUT_HEADER_BYTES;
        for (int i = 0; i < INIT_OUT_BYTES; i += 4) {
            b.putInt(at + i, 0);
        }
        int flags = in.flags() & (FLAG_BIG_WRITES | FLAG_MAX_PAGES | FLAG_ASYNC_DIO);
        b.putInt(at, KERNEL_MAJOR).putInt(at + 4, Math.min(in.minor(), KERNEL_MINOR))
                .putInt(at + 8, Math.min(in.maxReadahead(), MAX_WRITE))
                .putInt(at + 12, flags)
                .putShort(at + 16, (short) 16) // max_background
                .putShort(at + 18, (short) 12) // congestion_threshold
                .putInt(at + 20, MAX_WRITE)
                .putInt(at + 24, 1) // time_gran (ns)
                .putShort(at + 28, (short) MAX_PAGES);
        return outHeader(b, OUT_HEADER_BYTES + INIT_OUT_BYTES, 0, unique);
    }

    /** One directory entry (fuse_dirent) of a READDIR reply. */
    record DirEntry(long ino, String name, int type) {
        static final int DT_DIR = 4;
        static final int DT_REG = 8;

        int bytes() {
            return (24 + name.getBytes(StandardCharsets.UTF_8).length + 7) & ~7;
        }
    }

    /**
     * READDIR reply: the entries from index {@code offset} on that fit in {@code maxBytes}; each
     * entry's off field is the index of the next one, as the kernel passes back.
     */
    static int readdirOut(ByteBuffer b, long unique, DirEntry[] entries, long offset, int maxBytes) {
        int at = OUT_HEADER_BYTES;
        int used = 0;
        for (int i = (int) Math.max(0, offset); i < entries.length; i++) {
            DirEntry e = entries[i];
            if (used + e.bytes() > maxBytes) {
                break;
            }
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int p = at + used;
            b.putLong(p, e.ino()).putLong(p + 8, i + 1).putInt(p + 16, name.length).putInt(p + 20, e.type());
            b.put(p + 24, name);
            for (int pad = p + 24 + name.length; pad < p + e.bytes(); pad++) {
                b.put(pad, (byte) 0);
            }
            used += e.bytes();
        }
        return outHeader(b, OUT_HEADER_BYTES + used, 0, unique);
    }
}
