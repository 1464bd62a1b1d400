package io.baton.resources.mirror.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.mirror.meta.Superblock.Flag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

public class SuperblockCodecTest {

    public static final Superblock SAMPLE = new Superblock("web/disk", "node-2", 1L << 30, 4096,
            0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L, EnumSet.of(Flag.WAS_PRIMARY, Flag.RESYNC_IN_PROGRESS),
            42, 777, 9);

    @Test
    void roundTripsInExactlyOneSlot() throws Exception {
        byte[] bytes = SuperblockCodec.encode(SAMPLE);
        assertEquals(4096, bytes.length);
        assertEquals(SAMPLE, SuperblockCodec.decode(ByteBuffer.wrap(bytes)));

        Superblock plain = Superblock.initial("r", "n", 4096, 0);
        assertEquals(plain, SuperblockCodec.decode(ByteBuffer.wrap(SuperblockCodec.encode(plain))));
        assertEquals(Set.of(), plain.flags());
    }

    @Test
    void encodesAtThePositionOfAnyBuffer() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(5000).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(100);
        SuperblockCodec.encode(SAMPLE, buf);
        assertEquals(4196, buf.position());
        buf.position(100);
        assertEquals(SAMPLE, SuperblockCodec.decode(buf));
        assertEquals(4196, buf.position());
        assertThrows(IllegalArgumentException.class, () -> SuperblockCodec.encode(SAMPLE, ByteBuffer.allocate(4095)));
    }

    @Test
    void longestIdsFit() throws Exception {
        String id = "é".repeat(127) + "x";
        Superblock sb = Superblock.initial(id, id, 4096, 1);
        assertEquals(sb, SuperblockCodec.decode(ByteBuffer.wrap(SuperblockCodec.encode(sb))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Superblock.initial(id + "y", "n", 4096, 1));
        assertEquals("resource id is 256 bytes in UTF-8, limit 255", e.getMessage());
    }

    @Test
    void refusesABlankSlot() {
        MetadataException e = assertThrows(MetadataException.class,
                () -> SuperblockCodec.decode(ByteBuffer.allocate(4096)));
        assertEquals("blank (all zero)", e.getMessage());
    }

    @Test
    void refusesBadMagic() {
        byte[] bytes = SuperblockCodec.encode(SAMPLE);
        bytes[0] = 'X';
        MetadataException e = assertThrows(MetadataException.class,
                () -> SuperblockCodec.decode(ByteBuffer.wrap(bytes)));
        assertEquals("not a Baton mirror superblock (magic 0x5841544f4e4d4400)", e.getMessage());
    }

    @Test
    void refusesAnotherVersion() {
        byte[] bytes = SuperblockCodec.encode(SAMPLE);
        bytes[11] = 2;
        MetadataException e = assertThrows(MetadataException.class,
                () -> SuperblockCodec.decode(ByteBuffer.wrap(bytes)));
        assertEquals("format version 2, this build reads only 1", e.getMessage());
    }

    @Test
    void anyFlippedBitAfterTheVersionFailsTheChecksum() {
        byte[] good = SuperblockCodec.encode(SAMPLE);
        for (int i = 12; i < 4096; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            MetadataException e = assertThrows(MetadataException.class,
                    () -> SuperblockCodec.decode(ByteBuffer.wrap(bad)), "byte " + i);
            assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
        }
    }

    @Test
    void refusesInvalidContentBehindAGoodChecksum() {
        byte[] bytes = SuperblockCodec.encode(SAMPLE);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.putInt(64, 0x80); // an undefined flag
        buf.putInt(4092, crcOf(bytes));
        MetadataException e = assertThrows(MetadataException.class, () -> SuperblockCodec.decode(ByteBuffer.wrap(bytes)));
        assertEquals("checksum good but content invalid: unknown flag bits 0x80", e.getMessage());

        buf.putInt(64, 0);
        buf.putLong(24, 4097); // not whole blocks
        buf.putInt(4092, crcOf(bytes));
        e = assertThrows(MetadataException.class, () -> SuperblockCodec.decode(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("multiple of 4096"), e.getMessage());
    }

    @Test
    void refusesACutOffBuffer() {
        MetadataException e = assertThrows(MetadataException.class,
                () -> SuperblockCodec.decode(ByteBuffer.allocate(100)));
        assertEquals("superblock is cut off: 100 of 4096 bytes", e.getMessage());
    }

    @Test
    void recordValidatesItsFields() {
        assertThrows(IllegalArgumentException.class, () -> Superblock.initial("", "n", 4096, 0));
        assertThrows(IllegalArgumentException.class, () -> Superblock.initial("r", "n", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withResyncCursorBlock(SAMPLE.blockCount() + 1));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.withHighestEpochSeen(-1));
        assertThrows(IllegalArgumentException.class, () -> new Superblock("r", "n", 8192, 512, 0, 0,
                Set.of(), 0, 0, 0));
        Superblock s = SAMPLE.withFlag(Flag.CLEAN_SHUTDOWN, true).withFlag(Flag.WAS_PRIMARY, false);
        assertEquals(EnumSet.of(Flag.CLEAN_SHUTDOWN, Flag.RESYNC_IN_PROGRESS), s.flags());
        Superblock g = SAMPLE.withNewGeneration(5);
        assertEquals(5, g.currentGenerationId());
        assertEquals(SAMPLE.currentGenerationId(), g.previousGenerationId());
    }

    private static int crcOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 4092);
        return (int) crc.getValue();
    }
}
