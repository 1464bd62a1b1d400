package io.baton.resources.mirror.wire;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.meta.Superblock;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The payload of a HELLO frame, sent both ways at connect: enough for each side to check that the
 * peer mirrors the same resource at the same size and granularity, and to decide between a
 * differential and a full resync from the generation ids ({@link ResyncKind#between}).
 *
 * <p>On the wire: resource id and node id (each a 2-byte length and UTF-8), data size (8), block size
 * (4), current generation id (8), previous generation id (8), flags mask (4, {@link Superblock.Flag});
 * then, only from a replica that crashed while primary and kept an activity log, that log
 * ({@link ActiveExtents#putWire}); nothing else may follow. The flags let a primary see that its peer
 * crashed while primary itself ({@code WAS_PRIMARY} without {@code CLEAN_SHUTDOWN}), which no bitmap
 * describes; the activity log says where that peer may have had writes in flight, so that only
 * those extents need copying instead of the whole disk. Without it the HELLO is byte for byte what
 * builds before the activity log sent.
 */
public record HelloPayload(
        String resourceId,
        String nodeId,
        long dataSizeBytes,
        int blockSizeBytes,
        long currentGenerationId,
        long previousGenerationId,
        Set<Superblock.Flag> flags,
        Optional<ActiveExtents> activityLog) {

    public HelloPayload {
        IdStrings.check("resource id", resourceId);
        IdStrings.check("node id", nodeId);
        if (dataSizeBytes <= 0) {
            throw new IllegalArgumentException("data size must be > 0, got " + dataSizeBytes);
        }
        if (blockSizeBytes <= 0) {
            throw new IllegalArgumentException("block size must be > 0, got " + blockSizeBytes);
        }
        Objects.requireNonNull(flags, "flags");
        Objects.requireNonNull(activityLog, "activityLog");
        flags = Collections.unmodifiableSet(flags.isEmpty() ? EnumSet.noneOf(Superblock.Flag.class) : EnumSet.copyOf(flags));
    }

    public boolean has(Superblock.Flag flag) {
        return flags.contains(flag);
    }

    /** Whether the sender crashed while primary: writes of its may be in no bitmap. */
    public boolean crashedAsPrimary() {
        return has(Superblock.Flag.WAS_PRIMARY) && !has(Superblock.Flag.CLEAN_SHUTDOWN);
    }

    /** What a replica announces about itself, without an activity log (a primary's HELLO). */
    public static HelloPayload of(Superblock sb) {
        return new HelloPayload(sb.resourceId(), sb.nodeId(), sb.dataSizeBytes(), sb.blockSizeBytes(),
                sb.currentGenerationId(), sb.previousGenerationId(), sb.flags(), Optional.empty());
    }

    /** A replica's HELLO to its primary: with its activity log if it crashed while primary and has one. */
    public static HelloPayload ofReplica(Superblock sb, Optional<ActiveExtents> activityLog) {
        HelloPayload h = of(sb);
        return h.crashedAsPrimary() && activityLog.isPresent()
                ? new HelloPayload(h.resourceId, h.nodeId, h.dataSizeBytes, h.blockSizeBytes, h.currentGenerationId,
                        h.previousGenerationId, h.flags, activityLog)
                : h;
    }

    public Frame toFrame(long epoch, long seq) {
        ByteBuffer b = ByteBuffer.allocate(IdStrings.encodedSize(resourceId) + IdStrings.encodedSize(nodeId)
                + Long.BYTES + Integer.BYTES + 2 * Long.BYTES + Integer.BYTES
                + activityLog.map(ActiveExtents::wireBytes).orElse(0));
        IdStrings.put(b, resourceId);
        IdStrings.put(b, nodeId);
        b.putLong(dataSizeBytes).putInt(blockSizeBytes).putLong(currentGenerationId).putLong(previousGenerationId)
                .putInt(Superblock.Flag.toMask(flags));
        activityLog.ifPresent(a -> a.putWire(b));
        return new Frame(FrameType.HELLO, epoch, seq, b.array());
    }

    /** The HELLO carried by {@code frame}, or a {@link FrameException} saying why it is not one. */
    public static HelloPayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.HELLO) {
            throw new FrameException("expected a HELLO frame, got " + frame.type());
        }
        ByteBuffer b = ByteBuffer.wrap(frame.payload());
        try {
            String resourceId = IdStrings.get(b, "resource id");
            String nodeId = IdStrings.get(b, "node id");
            long size = b.getLong();
            int blockSize = b.getInt();
            long current = b.getLong();
            long previous = b.getLong();
            Set<Superblock.Flag> flags = Superblock.Flag.fromMask(b.getInt());
            Optional<ActiveExtents> activityLog = b.hasRemaining() ? Optional.of(ActiveExtents.getWire(b)) : Optional.empty();
            HelloPayload h = new HelloPayload(resourceId, nodeId, size, blockSize, current, previous, flags, activityLog);
            if (b.hasRemaining()) {
                throw new FrameException("HELLO payload has " + b.remaining() + " unexpected trailing bytes");
            }
            return h;
        } catch (BufferUnderflowException e) {
            throw new FrameException("HELLO payload of " + frame.payload().length + " bytes is cut off");
        } catch (IllegalArgumentException e) {
            throw new FrameException("bad HELLO payload: " + e.getMessage());
        }
    }
}
