package io.baton.resources.mirror.replication;

import io.baton.resources.mirror.Frame;
import io.baton.resources.mirror.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Cuts the byte stream into {@link Frame}s with {@link FrameCodec#decode}, which checks the header as
 * soon as it has arrived (a bad length is refused before a megabyte is buffered for it) and the
 * CRC32C once the frame is whole. A {@code FrameException} reaches {@code exceptionCaught} wrapped in a
 * {@code DecoderException}; the stream cannot be resynchronized, so the handlers close the channel.
 *
 * <p>The payload is copied once, out of the network buffer into the frame's array; the receiver
 * writes it to disk from there without another copy.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.readableBytes() < FrameCodec.HEADER_BYTES) {
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        Optional<Frame> frame = FrameCodec.decode(view);
        if (frame.isPresent()) {
            in.skipBytes(view.position());
            out.add(frame.get());
        }
    }
}
