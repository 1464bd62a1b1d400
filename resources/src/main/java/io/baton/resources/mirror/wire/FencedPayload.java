package io.baton.resources.mirror.wire;

import java.nio.ByteBuffer;

/**
 * The payload of a FENCED frame: the receiver's highest epoch seen, which is why it refused the
 * sender's frame. The sender learns that it has been deposed and stops. On the wire: 8 bytes.
 *
 * @param highestEpochSeen the refusing replica's persisted highest epoch
 */
public record FencedPayload(long highestEpochSeen) {

    public FencedPayload {
        if (highestEpochSeen < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + highestEpochSeen);
        }
    }

    /** The answer to a refused frame: it carries the refuser's epoch and echoes the refused seq. */
    public Frame toFrame(long refusedSeq) {
        return new Frame(FrameType.FENCED, highestEpochSeen, refusedSeq,
                ByteBuffer.allocate(Long.BYTES).putLong(highestEpochSeen).array());
    }

    public static FencedPayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.FENCED) {
            throw new FrameException("expected a FENCED frame, got " + frame.type());
        }
        if (frame.payload().length != Long.BYTES) {
            throw new FrameException("FENCED payload must be 8 bytes, got " + frame.payload().length);
        }
        long epoch = ByteBuffer.wrap(frame.payload()).getLong();
        if (epoch < 0) {
            throw new FrameException("FENCED payload carries a negative epoch " + epoch);
        }
        return new FencedPayload(epoch);
    }
}
