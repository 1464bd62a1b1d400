package io.baton.resources.mirror.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameCodec;
import io.baton.resources.mirror.wire.FrameException;
import io.baton.resources.mirror.wire.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Data frames leave the decoder as slices of the network buffer; other frames as copies. */
class FrameDecoderTest {

    @Test
    void aWriteSplitAcrossReadsComesOutWholeWithItsOffsetAndData() {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        ByteBuf wire = DataFrames.encode(ByteBufAllocator.DEFAULT, FrameType.WRITE, 5, 42, 1L << 20, ByteBuffer.wrap(data));
        ByteBuf ack = Unpooled.buffer();
        Frame flush = Frame.empty(FrameType.FLUSH, 5, 43);
        ByteBuffer flushWire = ByteBuffer.allocate(FrameCodec.encodedSizeBytes(flush));
        FrameCodec.encode(flush, flushWire);
        ack.writeBytes(flushWire.flip());

        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        while (wire.isReadable()) {
            ch.writeInbound(wire.readRetainedSlice(Math.min(65_536, wire.readableBytes())));
        }
        wire.release();
        ch.writeInbound(ack);

        InboundData write = assertInstanceOf(InboundData.class, ch.readInbound());
        assertEquals(FrameType.WRITE, write.type());
        assertEquals(5, write.epoch());
        assertEquals(42, write.seq());
        assertEquals(1L << 20, write.offsetBytes());
        ByteBuffer got = write.data();
        byte[] bytes = new byte[got.remaining()];
        got.get(bytes);
        assertEquals(ByteBuffer.wrap(data), ByteBuffer.wrap(bytes));
        write.release();
        assertEquals(flush, ch.readInbound());
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void aCorruptedDataFrameIsRefusedByItsChecksum() {
        ByteBuf wire = DataFrames.encode(ByteBufAllocator.DEFAULT, FrameType.RS_DATA, 1, 1, 0, ByteBuffer.wrap(new byte[4096]));
        wire.setByte(FrameCodec.HEADER_BYTES + 100, 1);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(wire));
        assertInstanceOf(FrameException.class, e.getCause());
        // The bytes stay unreadable: closing decodes them once more and fails the same way.
        assertThrows(DecoderException.class, ch::finishAndReleaseAll);
    }
}
