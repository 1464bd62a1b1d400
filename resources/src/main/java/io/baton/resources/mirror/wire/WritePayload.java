package io.baton.resources.mirror.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of a WRITE frame: where in the data area, and the bytes. On the wire: the offset
 * (8 bytes, big-endian) then the data, whose length is the rest of the payload.
 *
 * <p>The record owns {@code data} and does not copy it.
 *
 * @param offsetBytes byte offset in the data area, >= 0
 * @param data        1 to {@link FrameCodec#MAX_DATA_BYTES} bytes
 */
public record WritePayload(long offsetBytes, byte[] data) {

    public WritePayload {
        Objects.requireNonNull(data, "data");
        if (offsetBytes < 0) {
            throw new IllegalArgumentException("write offset must be >= 0, got " + offsetBytes);
        }
        if (data.length < 1 || data.length > FrameCodec.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("write data must be 1.." + FrameCodec.MAX_DATA_BYTES
                    + " bytes, got " + data.length);
        }
    }

    public Frame toFrame(long epoch, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES + data.length);
        b.putLong(offsetBytes).put(data);
        return new Frame(FrameType.WRITE, epoch, seq, b.array());
    }

    /** The write carried by {@code frame}, or a {@link FrameException} saying why it is not one. */
    public static WritePayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.WRITE) {
            throw new FrameException("expected a WRITE frame, got " + frame.type());
        }
        byte[] p = frame.payload();
        if (p.length < Long.BYTES + 1) {
            throw new FrameException("WRITE payload of " + p.length + " bytes is too short for an offset and data");
        }
        long offset = ByteBuffer.wrap(p).getLong();
        try {
            return new WritePayload(offset, Arrays.copyOfRange(p, Long.BYTES, p.length));
        } catch (IllegalArgumentException e) {
            throw new FrameException("bad WRITE payload: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WritePayload w && offsetBytes == w.offsetBytes && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(offsetBytes) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "WritePayload{offset=" + offsetBytes + ", " + data.length + " bytes}";
    }
}
