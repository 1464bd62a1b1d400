package io.baton.resources.mirror.wire;

import io.baton.resources.mirror.meta.SuperblockCodecTest;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.meta.Superblock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static byte[] bytes(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.encodedSizeBytes(f));
        FrameCodec.encode(f, b);
        assertEquals(0, b.remaining());
        return b.array();
    }

    private static Frame decodeWhole(byte[] wire) throws FrameException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Frame f = FrameCodec.decode(in).orElseThrow();
        assertEquals(0, in.remaining());
        return f;
    }

    @Test
    void everyTypeRoundTrips() throws Exception {
        Random rnd = new Random(1);
        for (FrameType t : FrameType.values()) {
            byte[] payload = new byte[rnd.nextInt(100)];
            rnd.nextBytes(payload);
            Frame f = new Frame(t, 7, 1000 + t.code, payload);
            assertEquals(f, decodeWhole(bytes(f)), t.name());
        }
        Frame empty = Frame.empty(FrameType.FLUSH_ACK, 0, 0);
        assertEquals(FrameCodec.HEADER_BYTES + FrameCodec.TRAILER_BYTES, bytes(empty).length);
        assertEquals(empty, decodeWhole(bytes(empty)));
    }

    @Test
    void theLargestFrameRoundTrips() throws Exception {
        WritePayload w = new WritePayload(1L << 40, new byte[FrameCodec.MAX_DATA_BYTES]);
        Frame f = w.toFrame(3, 4);
        assertEquals(w, WritePayload.from(decodeWhole(bytes(f))));
        assertTrue(FrameCodec.encodedSizeBytes(f) <= FrameCodec.MAX_FRAME_BYTES);
    }

    @Test
    void wireFormIsBigEndianWhateverTheBufferOrder() throws Exception {
        Frame f = Frame.empty(FrameType.WRITE_ACK, 0x0102, 0x0304);
        ByteBuffer le = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        le.position(5);
        FrameCodec.encode(f, le);
        byte[] wire = bytes(f);
        assertEquals((byte) 0xBA, wire[0]);
        assertEquals((byte) 0x7E, wire[1]);
        assertEquals(1, wire[2]);
        assertEquals(FrameType.WRITE_ACK.code, wire[3]);
        assertEquals(0x02, wire[11]);
        assertEquals(0x04, wire[19]);
        for (int i = 0; i < wire.length; i++) {
            assertEquals(wire[i], le.get(5 + i));
        }
        le.flip().position(5);
        assertEquals(f, FrameCodec.decode(le).orElseThrow());
    }

    @Test
    void partialBuffersYieldNothingAndConsumeNothing() throws Exception {
        Frame f = new WritePayload(8192, "hello".getBytes(StandardCharsets.UTF_8)).toFrame(2, 9);
        byte[] wire = bytes(f);
        for (int n = 0; n < wire.length; n++) {
            ByteBuffer in = ByteBuffer.wrap(wire, 0, n);
            assertEquals(Optional.empty(), FrameCodec.decode(in), n + " bytes");
            assertEquals(0, in.position(), n + " bytes");
        }
    }

    @Test
    void framesArrivingInArbitraryPiecesDecodeInOrder() throws Exception {
        List<Frame> sent = new ArrayList<>();
        ByteBuffer stream = ByteBuffer.allocate(10_000);
        Random rnd = new Random(3);
        for (int i = 0; i < 20; i++) {
            byte[] p = new byte[rnd.nextInt(300)];
            rnd.nextBytes(p);
            Frame f = new Frame(FrameType.RS_DATA, 5, i, p);
            sent.add(f);
            FrameCodec.encode(f, stream);
        }
        stream.flip();
        // Feed the stream in random pieces into an accumulation buffer, as a channel read would.
        ByteBuffer acc = ByteBuffer.allocate(10_000);
        List<Frame> got = new ArrayList<>();
        while (stream.hasRemaining()) {
            int piece = Math.min(stream.remaining(), 1 + rnd.nextInt(150));
            ByteBuffer chunk = stream.slice();
            chunk.limit(piece);
            acc.put(chunk);
            stream.position(stream.position() + piece);
            acc.flip();
            for (Optional<Frame> f = FrameCodec.decode(acc); f.isPresent(); f = FrameCodec.decode(acc)) {
                got.add(f.get());
            }
            acc.compact();
        }
        assertEquals(sent, got);
        assertEquals(0, acc.position());
    }

    @Test
    void aFlippedBitInEpochSeqPayloadOrChecksumIsCaught() {
        byte[] wire = bytes(new Frame(FrameType.WRITE, 4, 77, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
        for (int i = 4; i < wire.length; i++) {
            if (i >= 20 && i < 24) {
                continue; // the length: see the oversized and short-length tests
            }
            byte[] bad = wire.clone();
            bad[i] ^= 0x10;
            FrameException e = assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(bad)),
                    "byte " + i);
            assertTrue(e.getMessage().contains("fails its checksum") || e.getMessage().startsWith("negative"),
                    e.getMessage());
        }
        byte[] bad = wire.clone();
        bad[24] ^= 1;
        FrameException e = assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(bad)));
        assertTrue(e.getMessage().startsWith("WRITE frame seq 77 fails its checksum (stored 0x"), e.getMessage());
    }

    @Test
    void aShortenedLengthFailsTheChecksum() {
        byte[] wire = bytes(new Frame(FrameType.WRITE, 4, 77, new byte[16]));
        ByteBuffer.wrap(wire).putInt(20, 8);
        assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(wire)));
    }

    @Test
    void anOversizedLengthIsRefusedFromTheHeaderAlone() {
        ByteBuffer header = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
        header.putShort((short) 0xBA7E).put((byte) 1).put((byte) FrameType.WRITE.code).putLong(1).putLong(2)
                .putInt(FrameCodec.MAX_PAYLOAD_BYTES + 1).flip();
        FrameException e = assertThrows(FrameException.class, () -> FrameCodec.decode(header));
        assertEquals("WRITE frame announces a payload of 1049601 bytes, limit 1049600", e.getMessage());

        header.putInt(20, -1);
        e = assertThrows(FrameException.class, () -> FrameCodec.decode(header));
        assertEquals("WRITE frame announces a payload of 4294967295 bytes, limit 1049600", e.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> new Frame(FrameType.WRITE, 1, 1, new byte[FrameCodec.MAX_PAYLOAD_BYTES + 1]));
    }

    @Test
    void unknownTypeBadMagicAndOtherVersionsAreRefused() {
        byte[] wire = bytes(Frame.empty(FrameType.FLUSH, 1, 1));
        byte[] unknown = wire.clone();
        unknown[3] = 42;
        assertEquals("unknown frame type 42",
                assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(unknown))).getMessage());
        unknown[3] = 0;
        assertEquals("unknown frame type 0",
                assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(unknown))).getMessage());

        byte[] magic = wire.clone();
        magic[0] = 'G';
        magic[1] = 'E';
        assertEquals("not a Baton mirror frame (magic 0x4745)",
                assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(magic))).getMessage());

        byte[] version = wire.clone();
        version[2] = 2;
        assertEquals("frame version 2, this build speaks only 1",
                assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(version))).getMessage());

        byte[] negative = wire.clone();
        negative[4] = (byte) 0x80;
        assertThrows(FrameException.class, () -> FrameCodec.decode(ByteBuffer.wrap(negative)));
    }

    @Test
    void encodeRefusesABufferTooSmall() {
        Frame f = Frame.empty(FrameType.FLUSH, 1, 1);
        ByteBuffer small = ByteBuffer.allocate(27);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameCodec.encode(f, small));
        assertEquals("frame needs 28 bytes, buffer has 27", e.getMessage());
        assertEquals(0, small.position());
    }

    @Test
    void writePayloadRoundTripsAndRefusesMalformedOnes() throws Exception {
        WritePayload w = new WritePayload(4096 * 3, new byte[] {9, 8, 7});
        Frame f = w.toFrame(6, 11);
        assertEquals(FrameType.WRITE, f.type());
        assertEquals(w, WritePayload.from(decodeWhole(bytes(f))));
        assertArrayEquals(new byte[] {9, 8, 7}, WritePayload.from(f).data());

        assertThrows(FrameException.class, () -> WritePayload.from(new Frame(FrameType.WRITE, 1, 1, new byte[8])));
        byte[] negative = ByteBuffer.allocate(9).putLong(-5).array();
        FrameException e = assertThrows(FrameException.class,
                () -> WritePayload.from(new Frame(FrameType.WRITE, 1, 1, negative)));
        assertEquals("bad WRITE payload: write offset must be >= 0, got -5", e.getMessage());
        assertThrows(FrameException.class, () -> WritePayload.from(Frame.empty(FrameType.FLUSH, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> new WritePayload(0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new WritePayload(0, new byte[FrameCodec.MAX_DATA_BYTES + 1]));
    }

    @Test
    void helloPayloadRoundTripsAndRefusesMalformedOnes() throws Exception {
        Superblock sb = SuperblockCodecTest.SAMPLE;
        HelloPayload h = HelloPayload.of(sb);
        assertEquals(new HelloPayload("web/disk", "node-2", 1L << 30, 4096, sb.currentGenerationId(),
                sb.previousGenerationId(), sb.flags(), java.util.Optional.empty()), h);
        Frame f = h.toFrame(12, 0);
        assertEquals(h, HelloPayload.from(decodeWhole(bytes(f))));

        byte[] p = f.payload();
        byte[] cut = java.util.Arrays.copyOf(p, p.length - 1);
        assertEquals("HELLO payload of " + cut.length + " bytes is cut off", assertThrows(FrameException.class,
                () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, cut))).getMessage());
        byte[] longer = java.util.Arrays.copyOf(p, p.length + 2);
        assertEquals("activity log in HELLO is cut off", assertThrows(FrameException.class,
                () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, longer))).getMessage());

        // A replica that crashed as primary sends its activity log; one that did not, never.
        Superblock crashed = sb.withFlag(Superblock.Flag.WAS_PRIMARY, true).withFlag(Superblock.Flag.CLEAN_SHUTDOWN, false);
        java.util.Optional<ActiveExtents> log = java.util.Optional.of(new ActiveExtents(7, new int[] {1, 30}));
        HelloPayload withLog = HelloPayload.ofReplica(crashed, log);
        assertEquals(java.util.Optional.of(new ActiveExtents(0, new int[] {1, 30})),
                HelloPayload.from(withLog.toFrame(3, 0)).activityLog(), "the sequence stays home");
        Superblock clean = crashed.withFlag(Superblock.Flag.CLEAN_SHUTDOWN, true);
        assertEquals(HelloPayload.of(clean), HelloPayload.ofReplica(clean, log));
        byte[] logged = withLog.toFrame(3, 0).payload();
        byte[] logThenMore = java.util.Arrays.copyOf(logged, logged.length + 3);
        assertEquals("HELLO payload has 3 unexpected trailing bytes", assertThrows(FrameException.class,
                () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, logThenMore))).getMessage());
        byte[] badId = p.clone();
        badId[0] = 1; // resource id length 256+: over the limit
        assertTrue(assertThrows(FrameException.class, () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, badId)))
                .getMessage().startsWith("bad HELLO payload: resource id length"));
        byte[] notUtf8 = p.clone();
        notUtf8[2] = (byte) 0xff;
        assertEquals("bad HELLO payload: resource id is not valid UTF-8", assertThrows(FrameException.class,
                () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, notUtf8))).getMessage());
    }

    @Test
    void fencedPayloadCarriesTheRefusersEpoch() throws Exception {
        Frame f = new FencedPayload(9).toFrame(33);
        assertEquals(FrameType.FENCED, f.type());
        assertEquals(9, f.epoch());
        assertEquals(33, f.seq());
        assertEquals(new FencedPayload(9), FencedPayload.from(decodeWhole(bytes(f))));
        assertThrows(FrameException.class, () -> FencedPayload.from(new Frame(FrameType.FENCED, 1, 1, new byte[4])));
    }

    @Test
    void typeCodesAreStable() {
        int code = 1;
        for (FrameType t : FrameType.values()) {
            assertEquals(code++, t.code, t.name());
            assertEquals(t, FrameType.fromCode(t.code));
        }
        assertEquals(null, FrameType.fromCode(200));
        assertEquals(null, FrameType.fromCode(-1));
    }

    @Test
    void resyncAndErrorPayloadsRoundTrip() throws Exception {
        ResyncBeginPayload b = new ResyncBeginPayload(ResyncKind.FULL, 0x55L);
        assertEquals(b, ResyncBeginPayload.from(decodeWhole(bytes(b.toFrame(3, 4)))));
        assertEquals(ResyncKind.DIFFERENTIAL,
                ResyncBeginPayload.from(new ResyncBeginPayload(ResyncKind.DIFFERENTIAL, 1).toFrame(1, 1)).kind());
        assertThrows(FrameException.class, () -> ResyncBeginPayload.from(new Frame(FrameType.RS_BEGIN, 1, 1, new byte[9 + 1])));
        ResyncEndPayload e = new ResyncEndPayload(-7L);
        assertEquals(e, ResyncEndPayload.from(decodeWhole(bytes(e.toFrame(3, 4)))));
        assertThrows(FrameException.class, () -> ResyncEndPayload.from(new Frame(FrameType.RS_END, 1, 1, new byte[8])));
        ErrorPayload err = new ErrorPayload("size differs: 4096 here, 8192 there");
        assertEquals(err, ErrorPayload.from(decodeWhole(bytes(err.toFrame(0, 0)))));
        assertEquals(ErrorPayload.MAX_BYTES, new ErrorPayload("x".repeat(5000)).toFrame(0, 0).payload().length);
    }

    @Test
    void helloCarriesFlagsAndRefusesUnknownBits() throws Exception {
        HelloPayload h = HelloPayload.of(SuperblockCodecTest.SAMPLE);
        assertTrue(HelloPayload.from(h.toFrame(1, 1)).has(Superblock.Flag.WAS_PRIMARY));
        byte[] p = h.toFrame(1, 1).payload();
        p[p.length - 1] = (byte) 0x80;
        assertTrue(assertThrows(FrameException.class, () -> HelloPayload.from(new Frame(FrameType.HELLO, 1, 1, p)))
                .getMessage().contains("unknown flag bits"));
    }
}
