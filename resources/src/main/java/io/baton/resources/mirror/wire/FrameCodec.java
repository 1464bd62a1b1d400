package io.baton.resources.mirror.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The wire form of a {@link Frame}, big-endian:
 *
 * <table>
 *   <caption>Frame layout</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>2</td><td>magic {@code 0xBA7E}</td></tr>
 *   <tr><td>2</td><td>1</td><td>version ({@value #VERSION})</td></tr>
 *   <tr><td>3</td><td>1</td><td>type code ({@link FrameType#code})</td></tr>
 *   <tr><td>4</td><td>8</td><td>epoch</td></tr>
 *   <tr><td>12</td><td>8</td><td>seq</td></tr>
 *   <tr><td>20</td><td>4</td><td>payload length n, at most {@link #MAX_PAYLOAD_BYTES}</td></tr>
 *   <tr><td>24</td><td>n</td><td>payload</td></tr>
 *   <tr><td>24+n</td><td>4</td><td>CRC32C of bytes 0..24+n-1</td></tr>
 * </table>
 *
 * <p>TCP already checksums, weakly; the CRC32C catches what it misses (and bugs in buffer handling)
 * before a corrupt block reaches a replica's disk. The header is checked as soon as it has arrived, so
 * a bad length is refused before anyone buffers a megabyte for it.
 *
 * <p>{@link #decode} is incremental in the way a Netty {@code ByteToMessageDecoder} wants: it returns
 * empty and consumes nothing until a whole frame is buffered.
 */
public final class FrameCodec {

    public static final int MAGIC = 0xBA7E;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 24;
    public static final int TRAILER_BYTES = 4;
    /** Most data in one WRITE or RS_DATA: libfuse3's largest request. */
    public static final int MAX_DATA_BYTES = 1 << 20;
    /** Room a payload has beside its data for its own fields (WRITE's offset, ids in HELLO). */
    public static final int PAYLOAD_FIELDS_MAX_BYTES = 1024;
    public static final int MAX_PAYLOAD_BYTES = MAX_DATA_BYTES + PAYLOAD_FIELDS_MAX_BYTES;
    public static final int MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES + TRAILER_BYTES;

    private FrameCodec() {}

    /** Bytes {@code frame} takes on the wire. */
    public static int encodedSizeBytes(Frame frame) {
        return HEADER_BYTES + frame.payload().length + TRAILER_BYTES;
    }

    /** Writes {@code frame} at {@code out}'s position and advances it; {@code out} must have room. */
    public static void encode(Frame frame, ByteBuffer out) {
        int size = encodedSizeBytes(frame);
        if (out.remaining() < size) {
            throw new IllegalArgumentException("frame needs " + size + " bytes, buffer has " + out.remaining());
        }
        ByteBuffer b = out.slice().order(ByteOrder.BIG_ENDIAN);
        b.putShort((short) MAGIC);
        b.put((byte) VERSION);
        b.put((byte) frame.type().code);
        b.putLong(frame.epoch());
        b.putLong(frame.seq());
        b.putInt(frame.payload().length);
        b.put(frame.payload());
        b.putInt(crc(b, 0, HEADER_BYTES + frame.payload().length));
        out.position(out.position() + size);
    }

    /** A frame's header fields, checked. */
    public record Header(FrameType type, long epoch, long seq, int payloadBytes) {
        /** Bytes the whole frame takes on the wire. */
        public int frameBytes() {
            return HEADER_BYTES + payloadBytes + TRAILER_BYTES;
        }
    }

    /**
     * The header of the frame at {@code in}'s position, checked, once its {@value #HEADER_BYTES} bytes
     * are there (empty before); consumes nothing.
     *
     * @throws FrameException on bad magic or version, unknown type, negative epoch or seq, or an
     *     oversized length
     */
    public static Optional<Header> header(ByteBuffer in) throws FrameException {
        if (in.remaining() < HEADER_BYTES) {
            return Optional.empty();
        }
        ByteBuffer b = in.slice().order(ByteOrder.BIG_ENDIAN);
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != MAGIC) {
            throw new FrameException("not a Baton mirror frame (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = Byte.toUnsignedInt(b.get(2));
        if (version != VERSION) {
            throw new FrameException("frame version " + version + ", this build speaks only " + VERSION);
        }
        int code = Byte.toUnsignedInt(b.get(3));
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
            throw new FrameException("unknown frame type " + code);
        }
        long epoch = b.getLong(4);
        long seq = b.getLong(12);
        if (epoch < 0 || seq < 0) {
            throw new FrameException("negative epoch " + epoch + " or seq " + seq + " in a " + type + " frame");
        }
        int length = b.getInt(20);
        if (length < 0 || length > MAX_PAYLOAD_BYTES) {
            throw new FrameException(type + " frame announces a payload of " + Integer.toUnsignedString(length)
                    + " bytes, limit " + MAX_PAYLOAD_BYTES);
        }
        return Optional.of(new Header(type, epoch, seq, length));
    }

    /**
     * Checks the CRC32C of the whole frame {@code header} describes, at {@code in}'s position (all of
     * it must be there); consumes nothing.
     */
    public static void verifyChecksum(ByteBuffer in, Header header) throws FrameException {
        ByteBuffer b = in.slice().order(ByteOrder.BIG_ENDIAN);
        int stored = b.getInt(HEADER_BYTES + header.payloadBytes());
        int computed = crc(b, 0, HEADER_BYTES + header.payloadBytes());
        if (stored != computed) {
            throw new FrameException(header.type() + " frame seq " + header.seq() + " fails its checksum (stored 0x"
                    + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(computed) + ")");
        }
    }

    /**
     * The frame at {@code in}'s position if all of it is there (then {@code in} is advanced past it),
     * empty if more bytes are needed (then nothing is consumed).
     *
     * @throws FrameException on bad magic or version, unknown type, negative epoch or seq, oversized
     *     length (all detected from the header alone) or a checksum mismatch
     */
    public static Optional<Frame> decode(ByteBuffer in) throws FrameException {
        Optional<Header> h = header(in);
        if (h.isEmpty() || in.remaining() < h.get().frameBytes()) {
            return Optional.empty();
        }
        return Optional.of(decode(in, h.get()));
    }

    /**
     * The whole frame {@code header} (already read by {@link #header}) describes, at {@code in}'s
     * position; checks its CRC32C, copies the payload and advances {@code in} past the frame.
     */
    public static Frame decode(ByteBuffer in, Header header) throws FrameException {
        verifyChecksum(in, header);
        byte[] payload = new byte[header.payloadBytes()];
        in.get(in.position() + HEADER_BYTES, payload);
        in.position(in.position() + header.frameBytes());
        return new Frame(header.type(), header.epoch(), header.seq(), payload);
    }

    private static int crc(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        ByteBuffer d = buf.duplicate();
        d.limit(to).position(from);
        crc.update(d);
        return (int) crc.getValue();
    }
}
