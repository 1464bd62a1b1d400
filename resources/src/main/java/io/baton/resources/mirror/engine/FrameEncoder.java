package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s (control frames, acknowledgements, HELLO) in their wire form. Data frames are
 * encoded by {@link DataFrames} straight into a {@link ByteBuf}, which passes through this encoder
 * untouched: that saves the intermediate array on the write path.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        int size = FrameCodec.encodedSizeBytes(frame);
        out.ensureWritable(size);
        FrameCodec.encode(frame, out.nioBuffer(out.writerIndex(), size));
        out.writerIndex(out.writerIndex() + size);
    }
}
