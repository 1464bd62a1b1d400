package io.baton.resources.mirror.wire;

import java.nio.ByteBuffer;

/**
 * The payload of an RS_END frame: the source's current generation id (8 bytes), which the target
 * adopts once everything before is durable: from then on both replicas hold the same lineage.
 */
public record ResyncEndPayload(long generationId) {

    public ResyncEndPayload {
        if (generationId == 0) {
            throw new IllegalArgumentException("a resync must end in a real generation, got 0");
        }
    }

    public Frame toFrame(long epoch, long seq) {
        return new Frame(FrameType.RS_END, epoch, seq, ByteBuffer.allocate(Long.BYTES).putLong(generationId).array());
    }

    public static ResyncEndPayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.RS_END) {
            throw new FrameException("expected an RS_END frame, got " + frame.type());
        }
        if (frame.payload().length != Long.BYTES) {
            throw new FrameException("RS_END payload must be 8 bytes, got " + frame.payload().length);
        }
        try {
            return new ResyncEndPayload(ByteBuffer.wrap(frame.payload()).getLong());
        } catch (IllegalArgumentException e) {
            throw new FrameException("bad RS_END payload: " + e.getMessage());
        }
    }
}
