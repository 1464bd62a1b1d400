package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.FrameCodec;
import io.baton.resources.mirror.wire.FrameException;
import io.baton.resources.mirror.wire.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * WRITE and RS_DATA frames, whose payload is an offset (8 bytes) and data (the rest), as
 * {@link io.baton.resources.mirror.wire.WritePayload} describes: encoded from the sender's buffer, decoded
 * as a slice of the receiver's.
 *
 * <p>Encoding goes from the caller's buffer straight into one pooled {@link ByteBuf}, CRC included,
 * on the caller's thread: one copy, and the caller's buffer may be reused as soon as this returns
 * (the write path gives it back to FUSE, which must not have the event loop read it later).
 */
final class DataFrames {

    private DataFrames() {}

    /** The wire form of a data frame; the receiver of the ByteBuf owns it. {@code data} is not consumed. */
    static ByteBuf encode(ByteBufAllocator alloc, FrameType type, long epoch, long seq, long offsetBytes,
            ByteBuffer data) {
        int n = data.remaining();
        if (n < 1 || n > FrameCodec.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("data frame of " + n + " bytes, allowed 1.." + FrameCodec.MAX_DATA_BYTES);
        }
        int payload = Long.BYTES + n;
        int size = FrameCodec.HEADER_BYTES + payload + FrameCodec.TRAILER_BYTES;
        ByteBuf buf = alloc.buffer(size, size);
        try {
            buf.writeShort(FrameCodec.MAGIC);
            buf.writeByte(FrameCodec.VERSION);
            buf.writeByte(type.code);
            buf.writeLong(epoch);
            buf.writeLong(seq);
            buf.writeInt(payload);
            buf.writeLong(offsetBytes);
            buf.writeBytes(data.duplicate());
            CRC32C crc = new CRC32C();
            crc.update(buf.nioBuffer(0, buf.writerIndex()));
            buf.writeInt((int) crc.getValue());
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * The data frame {@code header} describes, at {@code in}'s reader index and whole (checksum
     * already verified), as a slice of {@code in}; the caller skips its bytes.
     */
    static InboundData decode(ByteBuf in, FrameCodec.Header header) throws FrameException {
        int dataBytes = header.payloadBytes() - Long.BYTES;
        if (dataBytes < 1 || dataBytes > FrameCodec.MAX_DATA_BYTES) {
            throw new FrameException(header.type() + " frame seq " + header.seq() + " carries " + dataBytes
                    + " bytes of data, allowed 1.." + FrameCodec.MAX_DATA_BYTES);
        }
        int at = in.readerIndex() + FrameCodec.HEADER_BYTES;
        long offset = in.getLong(at);
        if (offset < 0) {
            throw new FrameException(header.type() + " frame seq " + header.seq() + " has a negative offset " + offset);
        }
        return new InboundData(header.type(), header.epoch(), header.seq(), offset,
                in.retainedSlice(at + Long.BYTES, dataBytes));
    }
}
