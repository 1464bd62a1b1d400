package io.baton.resources.mirror.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * One replication message: its type, the sender's grant epoch (every frame carries it, so a receiver
 * can refuse a deposed owner's traffic, S4), a sequence number that acknowledgements echo, and a
 * payload whose form depends on the type.
 *
 * <p>The frame owns {@code payload} and does not copy it (the data path should not copy twice);
 * callers must not change the array afterwards.
 *
 * @param type    what the frame is
 * @param epoch   the sender's grant epoch, >= 0
 * @param seq     sender-assigned sequence, >= 0
 * @param payload at most {@link FrameCodec#MAX_PAYLOAD_BYTES}
 */
public record Frame(FrameType type, long epoch, long seq, byte[] payload) implements FrameFields {

    private static final byte[] EMPTY = new byte[0];

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (epoch < 0) {
            throw new IllegalArgumentException("frame epoch must be >= 0, got " + epoch);
        }
        if (seq < 0) {
            throw new IllegalArgumentException("frame seq must be >= 0, got " + seq);
        }
        if (payload.length > FrameCodec.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("frame payload of " + payload.length + " bytes exceeds the limit of "
                    + FrameCodec.MAX_PAYLOAD_BYTES);
        }
    }

    /** A frame with no payload (acknowledgements, FLUSH). */
    public static Frame empty(FrameType type, long epoch, long seq) {
        return new Frame(type, epoch, seq, EMPTY);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && type == f.type && epoch == f.epoch && seq == f.seq
                && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, epoch, seq, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Frame{" + type + ", epoch=" + epoch + ", seq=" + seq + ", payload=" + payload.length + " bytes}";
    }
}
