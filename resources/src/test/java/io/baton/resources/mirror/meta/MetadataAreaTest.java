package io.baton.resources.mirror.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.mirror.meta.Superblock.Flag;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataAreaTest {

    /** 1 GiB of data: 262144 blocks, 8 bitmap pages. */
    private static final long DATA_BYTES = 1L << 30;
    private static final Superblock FIRST = Superblock.initial("web/disk", "node-1", DATA_BYTES, 0x1111);

    @TempDir
    Path dir;

    @Test
    void requiredSizeIsTwoSlotsPlusWholeBitmapPages() {
        // two superblock slots, the bitmap pages, two activity log slots
        assertEquals(8192 + 4096 + 8192, MetadataArea.requiredSizeBytes(4096));
        assertEquals(8192 + 4096 + 8192, MetadataArea.requiredSizeBytes(32768L * 4096));
        assertEquals(8192 + 8192 + 8192, MetadataArea.requiredSizeBytes(32769L * 4096));
        assertEquals(8192 + 8 * 4096 + 8192, MetadataArea.requiredSizeBytes(DATA_BYTES));
    }

    @Test
    void createThenOpenReturnsTheFirstSuperblock() throws Exception {
        Path p = dir.resolve("md");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            assertEquals(FIRST.withSequence(1), area.current());
            assertEquals(0, area.currentSlot());
        }
        assertEquals(MetadataArea.requiredSizeBytes(DATA_BYTES), Files.size(p));
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(FIRST.withSequence(1), area.current());
            assertEquals(0, area.loadBitmap().dirtyCount());
        }
    }

    @Test
    void writesAlternateSlotsAndTheNewestWins() throws Exception {
        Path p = dir.resolve("md");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            Superblock s2 = area.write(area.current().withHighestEpochSeen(3));
            assertEquals(2, s2.sequence());
            assertEquals(1, area.currentSlot());
            Superblock s3 = area.update(s -> s.withFlag(Flag.CLEAN_SHUTDOWN, true));
            assertEquals(3, s3.sequence());
            assertEquals(0, area.currentSlot());
            assertEquals(s3, area.update(s -> s.withFlag(Flag.CLEAN_SHUTDOWN, true)), "no change, no write");
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(3, area.current().sequence());
            assertEquals(3, area.current().highestEpochSeen());
            assertTrue(area.current().has(Flag.CLEAN_SHUTDOWN));
            assertEquals(0, area.currentSlot());
        }
    }

    /** A write torn after any number of bytes, into a slot that held an older superblock or nothing. */
    @Test
    void aWriteTornAtAnyByteLeavesThePreviousStateReadable() throws Exception {
        for (int earlierWrites : new int[] {0, 2}) {
            Path p = dir.resolve("torn-" + earlierWrites);
            Superblock previous;
            int target;
            try (MetadataArea area = MetadataArea.create(p, FIRST)) {
                for (int i = 0; i < earlierWrites; i++) {
                    area.update(s -> s.withHighestEpochSeen(s.highestEpochSeen() + 1));
                }
                previous = area.current();
                target = 1 - area.currentSlot();
            }
            Superblock next = previous.withHighestEpochSeen(99).withResyncCursorBlock(1234)
                    .withSequence(previous.sequence() + 1);
            byte[] newImage = SuperblockCodec.encode(next);
            byte[] oldImage = readSlot(p, target);
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);

            int complete = 0;
            for (int k = 0; k < 4096; k++) {
                byte[] slot = tear(p, target, oldImage, newImage, 0, k);     // new prefix, old rest
                assertEquals(expected(slot, newImage, previous, next), openCurrent(p), "prefix of " + k + " bytes");
                complete += Arrays.equals(slot, newImage) ? 1 : 0;
                slot = tear(p, target, oldImage, newImage, k, 4096);         // old prefix, new rest
                complete += Arrays.equals(slot, newImage) ? 1 : 0;
                assertEquals(expected(slot, newImage, previous, next), openCurrent(p), "suffix from byte " + k);
                tear(p, target, oldImage, garbage, 0, k);                    // garbage prefix, old rest
                assertEquals(previous, openCurrent(p), "garbage prefix of " + k + " bytes");
            }
            // Only tears whose missing bytes were equal anyway amount to a complete write: a suffix
            // from within the common start of both images (the sequence differs by byte 23 at the
            // latest), or a prefix missing only equal trailing checksum bytes.
            assertTrue(complete <= 28, "complete by coincidence: " + complete);
            tear(p, target, oldImage, newImage, 0, 4096);
            assertEquals(next, openCurrent(p), "complete write");
        }
    }

    @Test
    void bothSlotsInvalidNamesThePathAndBothReasons() throws Exception {
        Path p = dir.resolve("md");
        MetadataArea.create(p, FIRST).close();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), 20);
        }
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataArea.open(p));
        assertTrue(e.getMessage().startsWith("metadata area " + p + " holds no valid superblock: slot A checksum mismatch"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("slot B blank (all zero)"), e.getMessage());
    }

    @Test
    void refusesToFormatOverAnotherResource() throws Exception {
        Path p = dir.resolve("md");
        MetadataArea.create(p, FIRST).close();
        Superblock other = Superblock.initial("db/disk", "node-1", DATA_BYTES, 0x2222);
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataArea.create(p, other));
        assertEquals("metadata area " + p + " holds the superblock of resource web/disk (node node-1, sequence 1);"
                + " refusing to format it for db/disk. Wipe it explicitly if it is unused", e.getMessage());
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals("web/disk", area.current().resourceId());
        }
    }

    @Test
    void reformattingTheSameResourceClearsTheBitmap() throws Exception {
        Path p = dir.resolve("md");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            area.update(s -> s.withHighestEpochSeen(7));
            DirtyBitmap bm = area.loadBitmap();
            bm.markBlocks(10, 10);
            area.persistBitmap(bm);
        }
        try (MetadataArea area = MetadataArea.create(p, FIRST.withNewGeneration(0x3333))) {
            assertEquals(1, area.current().sequence());
            assertEquals(0x3333, area.current().currentGenerationId());
            assertEquals(0, area.loadBitmap().dirtyCount());
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(1, area.current().sequence());
        }
    }

    @Test
    void refusesAnAreaTooSmallForTheData() throws Exception {
        Path p = dir.resolve("small");
        Files.write(p, new byte[8192]);
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataArea.create(p, FIRST));
        assertEquals("metadata area " + p + " is 8192 bytes; a data area of 1073741824 bytes needs 49152"
                + " (two 4096-byte superblocks, the bitmap and two 4096-byte activity log slots)", e.getMessage());
        assertEquals(8192, Files.size(p), "never resized");

        Path q = dir.resolve("truncated");
        MetadataArea.create(q, FIRST).close();
        try (FileChannel ch = FileChannel.open(q, StandardOpenOption.WRITE)) {
            ch.truncate(20000);
        }
        e = assertThrows(MetadataException.class, () -> MetadataArea.open(q));
        assertTrue(e.getMessage().contains("is 20000 bytes; a data area of 1073741824 bytes needs 49152"), e.getMessage());

        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[100]);
        e = assertThrows(MetadataException.class, () -> MetadataArea.open(tiny));
        assertEquals("metadata area " + tiny + " is 100 bytes, too small for the two 4096-byte superblock slots",
                e.getMessage());
    }

    @Test
    void refusesToChangeTheReplicasIdentityOrLowerTheEpoch() throws Exception {
        try (MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST)) {
            area.update(s -> s.withHighestEpochSeen(5));
            Superblock stale = FIRST;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> area.write(stale));
            assertTrue(e.getMessage().startsWith("highest epoch seen cannot go down from 5 to 0"), e.getMessage());
            Superblock moved = Superblock.initial("web/disk", "node-2", DATA_BYTES, 1).withHighestEpochSeen(5);
            assertThrows(IllegalArgumentException.class, () -> area.write(moved));
            Superblock resized = Superblock.initial("web/disk", "node-1", DATA_BYTES * 2, 1).withHighestEpochSeen(5);
            assertThrows(IllegalArgumentException.class, () -> area.write(resized));
            assertEquals(2, area.current().sequence());
        }
    }

    @Test
    void anOpenAreaIsLocked() throws Exception {
        Path p = dir.resolve("md");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            MetadataException e = assertThrows(MetadataException.class, () -> MetadataArea.open(p));
            assertEquals("metadata area " + p + " is already open in this process", e.getMessage());
        }
        MetadataArea.open(p).close();
    }

    @Test
    void persistingWritesOnlyChangedPagesAndReloads() throws Exception {
        Path p = dir.resolve("md");
        int perPage = DirtyBitmap.BLOCKS_PER_PAGE;
        List<Extent> expected = new ArrayList<>();
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            DirtyBitmap bm = area.loadBitmap();
            assertEquals(8, bm.pageCount());
            assertEquals(0, area.persistBitmap(bm), "nothing changed");
            bm.markBlocks(5, 3);
            bm.markBlocks(6L * perPage + 1, perPage);
            assertEquals(3, area.persistBitmap(bm));
            assertEquals(0, area.persistBitmap(bm));
            bm.clear(5, 1);
            assertEquals(1, area.persistBitmap(bm));
            bm.extents().forEach(expected::add);
        }
        byte[] before = Files.readAllBytes(p);
        try (MetadataArea area = MetadataArea.open(p)) {
            DirtyBitmap back = area.loadBitmap();
            List<Extent> got = new ArrayList<>();
            back.extents().forEach(got::add);
            assertEquals(expected, got);
            assertEquals(2 + perPage, back.dirtyCount());
            assertFalse(back.hasChangedPages());
            back.markBlocks(3L * perPage, 1);
            assertEquals(1, area.persistBitmap(back));
        }
        byte[] after = Files.readAllBytes(p);
        int firstDiff = -1;
        int lastDiff = -1;
        for (int i = 0; i < before.length; i++) {
            if (before[i] != after[i]) {
                firstDiff = firstDiff < 0 ? i : firstDiff;
                lastDiff = i;
            }
        }
        long page3 = MetadataArea.BITMAP_OFFSET + 3L * 4096;
        assertEquals(page3, firstDiff, "only page 3 was written");
        assertEquals(page3, lastDiff);
    }

    @Test
    void aFailedPersistKeepsThePagesChanged() throws Exception {
        MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST);
        DirtyBitmap bm = area.loadBitmap();
        bm.markBlocks(0, 1);
        area.close();
        assertThrows(IOException.class, () -> area.persistBitmap(bm));
        assertTrue(bm.hasChangedPages());
        try (MetadataArea other = MetadataArea.create(dir.resolve("x"), FIRST)) {
            assertThrows(IllegalArgumentException.class, () -> other.persistBitmap(new DirtyBitmap(3)));
        }
    }

    @Test
    void aCorruptBitmapPageIsReportedWithThePath() throws Exception {
        Path p = dir.resolve("md");
        Superblock small = Superblock.initial("r", "n", 10 * 4096, 1);
        MetadataArea.create(p, small).close();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff}), MetadataArea.BITMAP_OFFSET);
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            MetadataException e = assertThrows(MetadataException.class, area::loadBitmap);
            assertEquals("metadata area " + p + ": bitmap page 0 has bits set past the last block 9 (word 0 of the page)",
                    e.getMessage());
        }
    }

    @Test
    void aFailedCreateOfANewFileLeavesNothing() {
        Path p = dir.resolve("missing-dir").resolve("md");
        assertThrows(IOException.class, () -> MetadataArea.create(p, FIRST));
        assertFalse(Files.exists(p));
    }

    /**
     * Restores {@code base} in the slot, then overwrites bytes [from, to) with {@code patch}; returns
     * the slot's resulting image.
     */
    private static byte[] tear(Path p, int slot, byte[] base, byte[] patch, int from, int to) throws IOException {
        byte[] image = base.clone();
        System.arraycopy(patch, from, image, from, to - from);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(image), MetadataArea.slotOffset(slot));
        }
        return image;
    }

    /**
     * The previous state, unless the torn bytes happen to be exactly the new image (the bytes that did
     * not reach the disk were equal in the old and the new image): then the write was complete.
     */
    private static Superblock expected(byte[] slot, byte[] newImage, Superblock previous, Superblock next) {
        return Arrays.equals(slot, newImage) ? next : previous;
    }

    private static byte[] readSlot(Path p, int slot) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.read(buf, MetadataArea.slotOffset(slot));
        }
        return buf.array();
    }

    private static Superblock openCurrent(Path p) throws IOException {
        try (MetadataArea area = MetadataArea.open(p)) {
            return area.current();
        }
    }

    @Test
    void theActivityLogAlternatesSlotsAndTheNewestValidRecordWins() throws Exception {
        Path p = dir.resolve("al");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            assertEquals(ActiveExtents.none(1), area.activityLog().orElseThrow(), "a new area has an empty record");
            area.writeActivityLog(new ActiveExtents(0, new int[] {3, 7}));
            area.writeActivityLog(new ActiveExtents(0, new int[] {7, 200}));
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(new ActiveExtents(3, new int[] {7, 200}), area.activityLog().orElseThrow());
        }
        // A write of record 4 torn in the middle (slot 0): record 3 in slot 1 stays the record.
        long logOffset = MetadataArea.requiredSizeBytes(DATA_BYTES) - 2 * ActiveExtents.SLOT_BYTES;
        ByteBuffer torn = ByteBuffer.allocate(ActiveExtents.SLOT_BYTES);
        new ActiveExtents(4, new int[] {1, 2, 3}).encodeSlot(torn);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(torn.array(), 0, 2000), logOffset);
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(new ActiveExtents(3, new int[] {7, 200}), area.activityLog().orElseThrow());
        }
    }

    @Test
    void anAreaOfABuildWithoutTheActivityLogGetsItsBlankSlotsAndNoRecord() throws Exception {
        Path p = dir.resolve("old");
        MetadataArea.create(p, FIRST).close();
        long old = MetadataArea.requiredSizeBytes(DATA_BYTES) - 2 * ActiveExtents.SLOT_BYTES;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(old);
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertTrue(area.activityLog().isEmpty(), "no record: a crash as primary is resynced in full");
            assertEquals(MetadataArea.requiredSizeBytes(DATA_BYTES), Files.size(p));
            area.writeActivityLog(new ActiveExtents(0, new int[] {5}));
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            assertEquals(new ActiveExtents(1, new int[] {5}), area.activityLog().orElseThrow());
        }
    }
}
