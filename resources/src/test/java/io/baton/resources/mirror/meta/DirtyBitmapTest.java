package io.baton.resources.mirror.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DirtyBitmapTest {

    private static final int B = DirtyBitmap.BLOCK_SIZE_BYTES;

    private static List<Extent> extents(DirtyBitmap bm) {
        List<Extent> out = new ArrayList<>();
        bm.extents().forEach(out::add);
        return out;
    }

    @Test
    void aWriteTouchingAnyByteOfABlockDirtiesTheWholeBlock() {
        DirtyBitmap bm = new DirtyBitmap(10);
        bm.mark(B - 1, 1);
        assertTrue(bm.isDirty(0));
        assertFalse(bm.isDirty(1));
        bm.mark(3L * B + 100, B);
        assertTrue(bm.isDirty(3));
        assertTrue(bm.isDirty(4));
        assertFalse(bm.isDirty(5));
        bm.mark(9L * B, B);
        assertTrue(bm.isDirty(9));
        assertEquals(4, bm.dirtyCount());
        assertEquals(List.of(new Extent(0, 1), new Extent(3, 2), new Extent(9, 1)), extents(bm));
    }

    @Test
    void zeroLengthWriteDirtiesNothing() {
        DirtyBitmap bm = new DirtyBitmap(4);
        bm.mark(2L * B, 0);
        bm.mark(4L * B, 0);
        assertEquals(0, bm.dirtyCount());
        assertFalse(bm.hasChangedPages());
    }

    @Test
    void outOfBoundsIsRefusedWithTheNumbers() {
        DirtyBitmap bm = new DirtyBitmap(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bm.mark(3L * B, B + 1));
        assertEquals("write of 4097 bytes at offset 12288 is outside the data area of 16384 bytes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bm.mark(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> bm.mark(0, -1));
        assertThrows(IllegalArgumentException.class, () -> bm.mark(Long.MAX_VALUE, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> bm.isDirty(4));
        assertThrows(IllegalArgumentException.class, () -> bm.isDirty(-1));
        assertThrows(IllegalArgumentException.class, () -> bm.clear(2, 3));
        assertThrows(IllegalArgumentException.class, () -> bm.markBlocks(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> bm.dirtyCount(3, 2));
        assertThrows(IllegalArgumentException.class, () -> new DirtyBitmap(0));
        assertThrows(IllegalArgumentException.class, () -> new DirtyBitmap(DirtyBitmap.MAX_BLOCK_COUNT + 1));
        assertEquals(0, bm.dirtyCount());
    }

    @Test
    void dataSizeMustBeWholeBlocks() {
        assertEquals(3, DirtyBitmap.forDataSize(3L * B).blockCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirtyBitmap.forDataSize(B + 1));
        assertTrue(e.getMessage().contains("multiple of 4096"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DirtyBitmap.forDataSize(0));
    }

    @Test
    void clearAndCountsAcrossWordBoundaries() {
        DirtyBitmap bm = new DirtyBitmap(200);
        bm.markBlocks(60, 80);
        assertEquals(80, bm.dirtyCount());
        assertEquals(List.of(new Extent(60, 80)), extents(bm));
        bm.clear(64, 64);
        assertEquals(16, bm.dirtyCount());
        assertEquals(List.of(new Extent(60, 4), new Extent(128, 12)), extents(bm));
        assertEquals(4, bm.dirtyCount(0, 128));
        assertEquals(4, bm.dirtyCount(62, 130));
        assertEquals(1, bm.dirtyCount(63, 64));
        bm.clear(new Extent(60, 4));
        assertEquals(12, bm.dirtyCount());
        bm.markBlocks(0, 0);
        assertEquals(12, bm.dirtyCount());
    }

    @Test
    void extentsRunToTheLastBlock() {
        DirtyBitmap bm = new DirtyBitmap(130);
        bm.markBlocks(127, 3);
        assertEquals(List.of(new Extent(127, 3)), extents(bm));
        assertEquals(Optional.empty(), bm.nextExtent(130));
        assertEquals(Optional.of(new Extent(128, 2)), bm.nextExtent(128));
        bm.markAll();
        assertEquals(List.of(new Extent(0, 130)), extents(bm));
        assertEquals(130, bm.dirtyCount());
    }

    @Test
    void extentsMatchANaiveScanOnRandomBitmaps() {
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            int blocks = 1 + rnd.nextInt(700);
            DirtyBitmap bm = new DirtyBitmap(blocks);
            boolean[] naive = new boolean[blocks];
            for (int i = 0; i < 20; i++) {
                long first = rnd.nextInt(blocks);
                long count = rnd.nextInt((int) (blocks - first) + 1);
                boolean set = rnd.nextBoolean();
                if (set) {
                    bm.markBlocks(first, count);
                } else {
                    bm.clear(first, count);
                }
                for (long b = first; b < first + count; b++) {
                    naive[(int) b] = set;
                }
            }
            List<Extent> expected = new ArrayList<>();
            long dirty = 0;
            for (int b = 0; b < blocks; b++) {
                if (naive[b]) {
                    dirty++;
                    int start = b;
                    while (b + 1 < blocks && naive[b + 1]) {
                        b++;
                        dirty++;
                    }
                    expected.add(new Extent(start, b - start + 1));
                }
            }
            assertEquals(expected, extents(bm), "round " + round);
            assertEquals(dirty, bm.dirtyCount(), "round " + round);
        }
    }

    @Test
    void unionAddsTheOtherBitmapsBlocks() {
        DirtyBitmap a = new DirtyBitmap(100);
        DirtyBitmap b = new DirtyBitmap(100);
        a.markBlocks(0, 10);
        b.markBlocks(5, 10);
        b.markBlocks(90, 10);
        a.union(b);
        assertEquals(List.of(new Extent(0, 15), new Extent(90, 10)), extents(a));
        assertEquals(25, a.dirtyCount());
        assertEquals(20, b.dirtyCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.union(new DirtyBitmap(99)));
        assertEquals("cannot unite a bitmap of 99 blocks with one of 100 blocks", e.getMessage());
    }

    @Test
    void copyIsIndependent() {
        DirtyBitmap a = new DirtyBitmap(100);
        a.markBlocks(3, 3);
        DirtyBitmap c = a.copy();
        assertFalse(c.hasChangedPages());
        c.clear(3, 3);
        assertEquals(3, a.dirtyCount());
        assertEquals(0, c.dirtyCount());
    }

    @Test
    void onlyPagesWhoseBitsChangedAreReported() {
        int perPage = DirtyBitmap.BLOCKS_PER_PAGE;
        DirtyBitmap bm = new DirtyBitmap(3L * perPage + 5);
        assertEquals(4, bm.pageCount());
        assertFalse(bm.hasChangedPages());

        bm.markBlocks(1, 1);
        bm.markBlocks(2L * perPage + 7, 1);
        assertArrayEquals(new int[] {0, 2}, bm.takeChangedPages());
        assertFalse(bm.hasChangedPages());

        bm.markBlocks(1, 1);
        bm.clear(perPage, 10);
        assertFalse(bm.hasChangedPages(), "re-marking a dirty block or clearing clean ones changes no page");

        bm.markBlocks(perPage - 1, 2);
        assertArrayEquals(new int[] {0, 1}, bm.takeChangedPages());

        bm.restoreChangedPages(new int[] {3});
        assertArrayEquals(new int[] {3}, bm.takeChangedPages());
        assertThrows(IllegalArgumentException.class, () -> bm.restoreChangedPages(new int[] {4}));
    }

    @Test
    void pagesRoundTripInLeastSignificantBitFirstOrder() {
        DirtyBitmap bm = new DirtyBitmap(DirtyBitmap.BLOCKS_PER_PAGE + 9);
        bm.markBlocks(0, 1);
        bm.markBlocks(9, 1);
        bm.markBlocks(DirtyBitmap.BLOCKS_PER_PAGE + 8, 1);
        ByteBuffer p0 = ByteBuffer.allocate(DirtyBitmap.PAGE_SIZE_BYTES);
        bm.writePage(0, p0);
        assertEquals(DirtyBitmap.PAGE_SIZE_BYTES, p0.position());
        assertEquals(0x01, p0.get(0));
        assertEquals(0x02, p0.get(1));
        ByteBuffer p1 = ByteBuffer.allocate(DirtyBitmap.PAGE_SIZE_BYTES);
        bm.writePage(1, p1);
        assertEquals(0x01, p1.get(1));

        DirtyBitmap back = new DirtyBitmap(bm.blockCount());
        back.readPage(0, p0.flip());
        back.readPage(1, p1.flip());
        assertEquals(extents(bm), extents(back));
        assertEquals(3, back.dirtyCount());
        assertFalse(back.hasChangedPages(), "a loaded page matches the disk");
    }

    @Test
    void aPageWithBitsPastTheLastBlockIsRefused() {
        DirtyBitmap bm = new DirtyBitmap(9);
        ByteBuffer page = ByteBuffer.allocate(DirtyBitmap.PAGE_SIZE_BYTES);
        page.put(1, (byte) 0x02);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bm.readPage(0, page));
        assertEquals("bitmap page 0 has bits set past the last block 8 (word 0 of the page)", e.getMessage());
        ByteBuffer far = ByteBuffer.allocate(DirtyBitmap.PAGE_SIZE_BYTES);
        far.put(4000, (byte) 1);
        assertThrows(IllegalArgumentException.class, () -> bm.readPage(0, far));
        assertEquals(0, bm.dirtyCount());
        assertThrows(IllegalArgumentException.class, () -> bm.readPage(0, ByteBuffer.allocate(10)));
        assertThrows(IllegalArgumentException.class, () -> bm.writePage(1, ByteBuffer.allocate(4096)));
    }
}
