package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.FrameException;

import io.baton.resources.mirror.wire.FrameCodec;
import io.baton.resources.mirror.wire.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Cuts the byte stream into frames with {@link FrameCodec}, which checks the header as soon as it has
 * arrived (a bad length is refused before a megabyte is buffered for it) and the CRC32C once the
 * frame is whole. A {@code FrameException} reaches {@code exceptionCaught} wrapped in a
 * {@code DecoderException}; the stream cannot be resynchronized, so the handlers close the channel.
 *
 * <p>WRITE and RS_DATA frames come out as {@link InboundData}, their data a slice of the network
 * buffer (the replica writes it to disk from there); every other frame as a
 * {@link io.baton.resources.mirror.wire.Frame} with its
 * small payload copied.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.readableBytes() < FrameCodec.HEADER_BYTES) {
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        Optional<FrameCodec.Header> h = FrameCodec.header(view);
        if (h.isEmpty() || view.remaining() < h.get().frameBytes()) {
            return;
        }
        FrameCodec.Header header = h.get();
        if (header.type() == FrameType.WRITE || header.type() == FrameType.RS_DATA) {
            FrameCodec.verifyChecksum(view, header);
            out.add(DataFrames.decode(in, header));
        } else {
            out.add(FrameCodec.decode(view, header));
        }
        in.skipBytes(header.frameBytes());
    }
}
