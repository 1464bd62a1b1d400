package io.baton.resources.mirror.wire;

/**
 * The kinds of replication frame. Each has a fixed wire code, independent of declaration order, so
 * that reordering this enum never changes the protocol.
 */
public enum FrameType {
    /** At connect, both ways: resource, node, size, generation ids, block size ({@link HelloPayload}). */
    HELLO(1),
    /** Primary to replica: data to write at an offset ({@link WritePayload}). */
    WRITE(2),
    /** Replica to primary: the WRITE with this frame's seq is in the replica's data area. Empty payload. */
    WRITE_ACK(3),
    /** Primary to replica: apply everything sent before, then fdatasync. Empty payload. */
    FLUSH(4),
    /** Replica to primary: everything up to the FLUSH with this seq is durable. Empty payload. */
    FLUSH_ACK(5),
    /** Either way, at connect: the sender's dirty bitmap, for resync planning. */
    BITMAP(6),
    /** Resync source to target: the content of one extent. */
    RS_DATA(7),
    /** Resync target to source: the RS_DATA with this seq is written. */
    RS_ACK(8),
    /** Receiver to sender: the frame's epoch is lower than the highest seen ({@link FencedPayload}); then close. */
    FENCED(9),
    /**
     * Resync source to target, before the first RS_DATA ({@link ResyncBeginPayload}): the target marks
     * itself as being resynced (never promotable) and takes the label of the source's bitmap. RS_ACK.
     */
    RS_BEGIN(10),
    /**
     * Resync source to target, after the last RS_DATA ({@link ResyncEndPayload}): the target forces its
     * data and adopts the source's generation. RS_ACK once durable.
     */
    RS_END(11),
    /** Either way: a refusal with a human-readable reason ({@link ErrorPayload}); then close. */
    ERROR(12);

    private static final FrameType[] BY_CODE = new FrameType[16];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The type byte on the wire. */
    public final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type with this wire code, or null if there is none. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
