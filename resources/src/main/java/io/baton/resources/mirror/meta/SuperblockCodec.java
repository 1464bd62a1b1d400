package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.IdStrings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The 4 KiB disk form of a {@link Superblock}: big-endian, zero-padded, with a CRC32C of everything
 * before it in the last four bytes. The checksum is last so that a write torn at any byte (only a
 * prefix or a suffix of the new image reached the disk) leaves a slot whose checksum does not match,
 * and the other slot wins.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>8</td><td>magic {@code "BATONMD\0"}</td></tr>
 *   <tr><td>8</td><td>4</td><td>format version ({@value #FORMAT_VERSION})</td></tr>
 *   <tr><td>12</td><td>4</td><td>block size in bytes</td></tr>
 *   <tr><td>16</td><td>8</td><td>sequence</td></tr>
 *   <tr><td>24</td><td>8</td><td>data size in bytes</td></tr>
 *   <tr><td>32</td><td>8</td><td>current generation id</td></tr>
 *   <tr><td>40</td><td>8</td><td>previous generation id</td></tr>
 *   <tr><td>48</td><td>8</td><td>highest epoch seen</td></tr>
 *   <tr><td>56</td><td>8</td><td>resync cursor (block)</td></tr>
 *   <tr><td>64</td><td>4</td><td>flags bit mask</td></tr>
 *   <tr><td>68</td><td>2+n</td><td>resource id, UTF-8 behind its length</td></tr>
 *   <tr><td>..</td><td>2+n</td><td>node id, UTF-8 behind its length</td></tr>
 *   <tr><td>..</td><td>..</td><td>zeros</td></tr>
 *   <tr><td>4092</td><td>4</td><td>CRC32C of bytes 0..4091</td></tr>
 * </table>
 */
public final class SuperblockCodec {

    /** "BATONMD" and a zero byte: tells a Baton mirror superblock from anything else on the device. */
    public static final long MAGIC = 0x4241544F4E4D4400L;
    /** Layout version; a decoder refuses any other. */
    public static final int FORMAT_VERSION = 1;
    /** Encoded size: one slot of the metadata area. */
    public static final int SIZE_BYTES = 4096;

    private static final int CRC_OFFSET = SIZE_BYTES - Integer.BYTES;
    private static final int IDS_OFFSET = 68;

    private SuperblockCodec() {}

    /** The encoded superblock, exactly {@link #SIZE_BYTES} bytes. */
    public static byte[] encode(Superblock sb) {
        ByteBuffer buf = ByteBuffer.allocate(SIZE_BYTES);
        encode(sb, buf);
        return buf.array();
    }

    /** Writes exactly {@link #SIZE_BYTES} bytes at {@code dst}'s position and advances it. */
    public static void encode(Superblock sb, ByteBuffer dst) {
        if (dst.remaining() < SIZE_BYTES) {
            throw new IllegalArgumentException("need " + SIZE_BYTES + " bytes for a superblock, buffer has "
                    + dst.remaining());
        }
        ByteBuffer out = dst.slice().order(ByteOrder.BIG_ENDIAN);
        out.putLong(MAGIC);
        out.putInt(FORMAT_VERSION);
        out.putInt(sb.blockSizeBytes());
        out.putLong(sb.sequence());
        out.putLong(sb.dataSizeBytes());
        out.putLong(sb.currentGenerationId());
        out.putLong(sb.previousGenerationId());
        out.putLong(sb.highestEpochSeen());
        out.putLong(sb.resyncCursorBlock());
        out.putInt(Superblock.Flag.toMask(sb.flags()));
        IdStrings.put(out, sb.resourceId());
        IdStrings.put(out, sb.nodeId());
        while (out.position() < CRC_OFFSET) {
            out.put((byte) 0);
        }
        out.putInt(crc(out, CRC_OFFSET));
        dst.position(dst.position() + SIZE_BYTES);
    }

    /**
     * Reads {@link #SIZE_BYTES} bytes at {@code src}'s position (and advances it) into a superblock,
     * or refuses with a reason: blank slot, bad magic, other format version, checksum mismatch,
     * invalid field.
     */
    public static Superblock decode(ByteBuffer src) throws MetadataException {
        if (src.remaining() < SIZE_BYTES) {
            throw new MetadataException("superblock is cut off: " + src.remaining() + " of " + SIZE_BYTES + " bytes");
        }
        ByteBuffer in = src.slice().order(ByteOrder.BIG_ENDIAN);
        in.limit(SIZE_BYTES);
        src.position(src.position() + SIZE_BYTES);

        long magic = in.getLong(0);
        if (magic != MAGIC) {
            throw new MetadataException(isZero(in) ? "blank (all zero)"
                    : "not a Baton mirror superblock (magic 0x" + Long.toHexString(magic) + ")");
        }
        int version = in.getInt(8);
        if (version != FORMAT_VERSION) {
            throw new MetadataException("format version " + version + ", this build reads only " + FORMAT_VERSION);
        }
        int stored = in.getInt(CRC_OFFSET);
        int computed = crc(in, CRC_OFFSET);
        if (stored != computed) {
            throw new MetadataException("checksum mismatch (stored 0x" + Integer.toHexString(stored)
                    + ", computed 0x" + Integer.toHexString(computed) + "): torn or corrupt");
        }
        try {
            in.position(IDS_OFFSET);
            String resourceId = IdStrings.get(in, "resource id");
            String nodeId = IdStrings.get(in, "node id");
            return new Superblock(resourceId, nodeId,
                    in.getLong(24), in.getInt(12),
                    in.getLong(32), in.getLong(40),
                    Superblock.Flag.fromMask(in.getInt(64)),
                    in.getLong(48), in.getLong(56), in.getLong(16));
        } catch (IllegalArgumentException e) {
            throw new MetadataException("checksum good but content invalid: " + e.getMessage());
        }
    }

    private static int crc(ByteBuffer buf, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer d = buf.duplicate();
        d.position(0).limit(length);
        crc.update(d);
        return (int) crc.getValue();
    }

    private static boolean isZero(ByteBuffer buf) {
        for (int i = 0; i < SIZE_BYTES; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
