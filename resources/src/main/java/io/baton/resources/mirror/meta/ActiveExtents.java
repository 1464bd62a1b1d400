package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.FrameException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One record of a primary's activity log: the extents of {@link #EXTENT_BYTES} in which it may have
 * writes that are not yet durable on both replicas. After the primary crashes, those extents (and
 * only those, besides the bitmap) may differ between the replicas, so a resync copies just them.
 *
 * <p>The 4 KiB slot form, big-endian: magic {@code "BATONAL\0"} (8), format version (4), sequence (8),
 * extent size in bytes (4), count (4), that many extent indexes ascending (4 each), zeros, and a
 * CRC32C of everything before it in the last four bytes (a torn write fails the check, and the other
 * slot wins). On the wire, in a HELLO: extent size (4), count (4), the indexes.
 *
 * @param sequence which of two slots is newer; 0 on the wire
 * @param extents indexes of extents (offset / {@link #EXTENT_BYTES}), ascending, no repeats
 */
public record ActiveExtents(long sequence, int[] extents) {

    /** 4 MiB: a hot extent costs at most this much resync, and a metadata write is paid once per extent entered. */
    public static final int EXTENT_BYTES = 4 << 20;
    /** The most extents a record holds (4 GB of data in flight): what fits in one 4 KiB slot. */
    public static final int CAPACITY = 1000;
    public static final int SLOT_BYTES = 4096;

    static final long MAGIC = 0x4241544F4E414C00L; // "BATONAL\0"
    static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 28;
    private static final int CRC_OFFSET = SLOT_BYTES - Integer.BYTES;

    public ActiveExtents {
        extents = extents.clone();
        if (extents.length > CAPACITY) {
            throw new IllegalArgumentException(extents.length + " active extents, at most " + CAPACITY);
        }
        for (int i = 0; i < extents.length; i++) {
            if (extents[i] < 0 || (i > 0 && extents[i] <= extents[i - 1])) {
                throw new IllegalArgumentException("active extents must be ascending and >= 0: " + Arrays.toString(extents));
            }
        }
    }

    public static ActiveExtents none(long sequence) {
        return new ActiveExtents(sequence, new int[0]);
    }

    @Override
    public int[] extents() {
        return extents.clone();
    }

    public int count() {
        return extents.length;
    }

    public ActiveExtents withSequence(long seq) {
        return new ActiveExtents(seq, extents);
    }

    /** Marks every block of every extent in {@code bitmap} (the last extent cut at the bitmap's end). */
    public void markIn(DirtyBitmap bitmap) {
        long blocksPerExtent = EXTENT_BYTES / DirtyBitmap.BLOCK_SIZE_BYTES;
        for (int e : extents) {
            long first = e * blocksPerExtent;
            if (first < bitmap.blockCount()) {
                bitmap.markBlocks(first, Math.min(blocksPerExtent, bitmap.blockCount() - first));
            }
        }
    }

    /** Bytes the extents cover (each a whole extent). */
    public long bytes() {
        return (long) extents.length * EXTENT_BYTES;
    }

    /** The exactly {@link #SLOT_BYTES}-byte slot form. */
    public void encodeSlot(ByteBuffer dst) {
        if (dst.remaining() < SLOT_BYTES) {
            throw new IllegalArgumentException("need " + SLOT_BYTES + " bytes for an activity log slot, buffer has " + dst.remaining());
        }
        ByteBuffer out = dst.slice().order(ByteOrder.BIG_ENDIAN);
        out.putLong(MAGIC).putInt(FORMAT_VERSION).putLong(sequence).putInt(EXTENT_BYTES).putInt(extents.length);
        for (int e : extents) {
            out.putInt(e);
        }
        while (out.position() < CRC_OFFSET) {
            out.put((byte) 0);
        }
        out.putInt(crc(out));
        dst.position(dst.position() + SLOT_BYTES);
    }

    /** The record in a slot, or the reason there is none (blank, not a record, torn, other format). */
    public static ActiveExtents decodeSlot(ByteBuffer src) throws MetadataException {
        if (src.remaining() < SLOT_BYTES) {
            throw new MetadataException("activity log slot is cut off: " + src.remaining() + " of " + SLOT_BYTES + " bytes");
        }
        ByteBuffer in = src.slice().order(ByteOrder.BIG_ENDIAN);
        in.limit(SLOT_BYTES);
        src.position(src.position() + SLOT_BYTES);
        long magic = in.getLong(0);
        if (magic != MAGIC) {
            throw new MetadataException(magic == 0 ? "blank" : "not an activity log record (magic 0x" + Long.toHexString(magic) + ")");
        }
        if (in.getInt(8) != FORMAT_VERSION) {
            throw new MetadataException("activity log format version " + in.getInt(8) + ", this build reads only " + FORMAT_VERSION);
        }
        int stored = in.getInt(CRC_OFFSET);
        if (stored != crc(in)) {
            throw new MetadataException("activity log checksum mismatch: torn or corrupt");
        }
        if (in.getInt(20) != EXTENT_BYTES) {
            throw new MetadataException("activity log of " + in.getInt(20) + "-byte extents, this build uses " + EXTENT_BYTES);
        }
        int count = in.getInt(24);
        if (count < 0 || count > CAPACITY) {
            throw new MetadataException("activity log holds " + count + " extents, at most " + CAPACITY);
        }
        int[] extents = new int[count];
        in.position(HEADER_BYTES);
        for (int i = 0; i < count; i++) {
            extents[i] = in.getInt();
        }
        try {
            return new ActiveExtents(in.getLong(12), extents);
        } catch (IllegalArgumentException e) {
            throw new MetadataException("activity log checksum good but content invalid: " + e.getMessage());
        }
    }

    /** Appends the wire form (extent size, count, indexes). */
    public void putWire(ByteBuffer out) {
        out.putInt(EXTENT_BYTES).putInt(extents.length);
        for (int e : extents) {
            out.putInt(e);
        }
    }

    public int wireBytes() {
        return 2 * Integer.BYTES + extents.length * Integer.BYTES;
    }

    /** Reads the wire form; refuses another extent size or a count beyond {@link #CAPACITY}. */
    public static ActiveExtents getWire(ByteBuffer in) throws FrameException {
        try {
            int size = in.getInt();
            if (size != EXTENT_BYTES) {
                throw new FrameException("activity log of " + size + "-byte extents, this build uses " + EXTENT_BYTES);
            }
            int count = in.getInt();
            if (count < 0 || count > CAPACITY || count > in.remaining() / Integer.BYTES) {
                throw new FrameException("activity log of " + count + " extents does not fit the frame");
            }
            int[] extents = new int[count];
            for (int i = 0; i < count; i++) {
                extents[i] = in.getInt();
            }
            return new ActiveExtents(0, extents);
        } catch (BufferUnderflowException e) {
            throw new FrameException("activity log in HELLO is cut off");
        } catch (IllegalArgumentException e) {
            throw new FrameException("bad activity log in HELLO: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActiveExtents a && a.sequence == sequence && Arrays.equals(a.extents, extents);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(sequence) + Arrays.hashCode(extents);
    }

    @Override
    public String toString() {
        return "ActiveExtents[seq " + sequence + ", " + Arrays.toString(extents) + "]";
    }

    private static int crc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        ByteBuffer d = buf.duplicate();
        d.position(0).limit(CRC_OFFSET);
        crc.update(d);
        return (int) crc.getValue();
    }
}
