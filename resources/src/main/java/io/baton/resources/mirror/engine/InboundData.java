package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.FrameFields;
import io.baton.resources.mirror.wire.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * A received WRITE or RS_DATA frame whose data is a slice of the network buffer it arrived in, so
 * that the replica writes it to disk from there: no copy into the heap (a 1 MiB array per frame) and
 * none into the JDK's temporary direct buffer for the write. Reference counted: whoever ends up with
 * it releases it (Netty's pipeline does for a message nobody took).
 */
final class InboundData extends AbstractReferenceCounted implements FrameFields {

    private final FrameType type;
    private final long epoch;
    private final long seq;
    private final long offsetBytes;
    private final ByteBuf data;

    /** Takes over one reference to {@code data}. */
    InboundData(FrameType type, long epoch, long seq, long offsetBytes, ByteBuf data) {
        this.type = type;
        this.epoch = epoch;
        this.seq = seq;
        this.offsetBytes = offsetBytes;
        this.data = data;
    }

    @Override
    public FrameType type() {
        return type;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public long seq() {
        return seq;
    }

    long offsetBytes() {
        return offsetBytes;
    }

    /** The data, as a buffer positioned at its first byte (a fresh view each call). */
    java.nio.ByteBuffer data() {
        return data.nioBuffer();
    }

    int dataBytes() {
        return data.readableBytes();
    }

    @Override
    protected void deallocate() {
        data.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        data.touch(hint);
        return this;
    }
}
