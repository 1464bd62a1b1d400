package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.FencedPayload;
import io.baton.resources.mirror.wire.Frame;

import java.io.IOException;
import java.util.Objects;

/**
 * Epoch fencing on a replica (S4): traffic is accepted only from the holder of the highest grant epoch
 * this replica has seen, and that epoch is durable in the metadata area before anything from it is
 * acted upon, so that after a crash and restart a deposed owner is still refused.
 *
 * <p>The guard keeps no copy of the epoch: it reads and raises it through the {@link MetadataArea},
 * whose {@link MetadataArea#write} never lets it go down, so a superblock update elsewhere (a resync
 * cursor, a flag) cannot undo a raise.
 */
public final class EpochGuard {

    /** What {@link #admit} decided. */
    public enum Admission {
        /** The frame's epoch is the highest seen: act on it. */
        ADMITTED,
        /** The frame's epoch was higher than any seen; it is now persisted as the highest: act on it. */
        RAISED,
        /** The frame's epoch is lower than the highest seen: a deposed owner. Answer FENCED and close. */
        REFUSED;

        /** Whether the caller may act on the frame. */
        public boolean admitted() {
            return this != REFUSED;
        }
    }

    private final MetadataArea area;

    public EpochGuard(MetadataArea area) {
        this.area = Objects.requireNonNull(area, "area");
    }

    /** The highest epoch seen, as persisted. */
    public long highestEpochSeen() {
        return area.current().highestEpochSeen();
    }

    /**
     * Decides whether a frame of {@code frameEpoch} may be acted upon. A higher epoch is written to the
     * metadata area (and forced) before this returns; if that write fails, the exception propagates and
     * the frame must not be acted upon.
     */
    public synchronized Admission admit(long frameEpoch) throws IOException {
        if (frameEpoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + frameEpoch);
        }
        long highest = highestEpochSeen();
        if (frameEpoch < highest) {
            return Admission.REFUSED;
        }
        if (frameEpoch == highest) {
            return Admission.ADMITTED;
        }
        Superblock raised = area.update(sb -> sb.highestEpochSeen() >= frameEpoch ? sb
                : sb.withHighestEpochSeen(frameEpoch));
        // Another writer of the area may have raised it further meanwhile.
        return frameEpoch < raised.highestEpochSeen() ? Admission.REFUSED : Admission.RAISED;
    }

    /** The FENCED answer to a refused frame with sequence {@code refusedSeq}. */
    public Frame fencedAnswer(long refusedSeq) {
        return new FencedPayload(highestEpochSeen()).toFrame(refusedSeq);
    }
}
