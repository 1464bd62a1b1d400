package io.baton.resources.mirror.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The payload of an RS_BEGIN frame. On the wire: the kind (1 byte: 0 differential, 1 full) and the
 * generation id the target must label its data with while the resync runs (8 bytes).
 *
 * <p>Why a label: the source decides a differential resync from "the peer's generation is the one my
 * bitmap is relative to". Before the first RS_DATA the source's bitmap covers every block in which
 * the target may differ (all blocks for a full resync), so the target can honestly take that
 * generation; an interrupted full resync then resumes differentially from the bitmap, which is the
 * progress, instead of starting over.
 *
 * @param kind                 what the source is about to copy
 * @param labelGenerationId    the generation the target records as its current one until RS_END
 */
public record ResyncBeginPayload(ResyncKind kind, long labelGenerationId) {

    public ResyncBeginPayload {
        Objects.requireNonNull(kind, "kind");
    }

    public Frame toFrame(long epoch, long seq) {
        ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES);
        b.put((byte) (kind == ResyncKind.FULL ? 1 : 0)).putLong(labelGenerationId);
        return new Frame(FrameType.RS_BEGIN, epoch, seq, b.array());
    }

    public static ResyncBeginPayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.RS_BEGIN) {
            throw new FrameException("expected an RS_BEGIN frame, got " + frame.type());
        }
        byte[] p = frame.payload();
        if (p.length != 1 + Long.BYTES || (p[0] != 0 && p[0] != 1)) {
            throw new FrameException("bad RS_BEGIN payload of " + p.length + " bytes");
        }
        return new ResyncBeginPayload(p[0] == 1 ? ResyncKind.FULL : ResyncKind.DIFFERENTIAL,
                ByteBuffer.wrap(p, 1, Long.BYTES).getLong());
    }
}
