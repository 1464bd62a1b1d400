package io.baton.resources.mirror.meta;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Which 4 KiB blocks of a data area a peer may lack: one bit per block, set while a peer is away
 * (or a write is in flight when the link drops) and cleared once resync has copied the block.
 *
 * <p>Why blocks of 4 KiB: the loop device is attached with {@code --sector-size 4096}, so every
 * write the mirror sees covers whole blocks, and one bit per block costs 32 KiB per GiB of data.
 * A write that touches any byte of a block still dirties the whole block, so a misaligned write is
 * never lost from the bitmap, only copied a little more widely.
 *
 * <p>Why pages: the bitmap lives on disk in 4 KiB pages after the superblocks. The bitmap remembers
 * which pages changed since they were last handed out by {@link #takeChangedPages()}, so persisting
 * writes only those pages. Pages carry no checksum on purpose: a page torn between its old and new
 * content is still a valid bitmap (each bit is old or new), and the caller only relies on a bit
 * after the force that follows its page write has returned.
 *
 * <p>On-disk bit order: bit {@code b} of the bitmap is bit {@code b % 8} (least significant first)
 * of byte {@code b / 8}; bits past the last block are zero.
 *
 * <p>Not thread-safe: the mirror's writer owns its bitmap and serializes access to it.
 */
public final class DirtyBitmap {

    /** Bytes of data per bit. */
    public static final int BLOCK_SIZE_BYTES = 4096;
    /** Bytes of bitmap per on-disk page. */
    public static final int PAGE_SIZE_BYTES = 4096;
    /** Blocks covered by one page. */
    public static final int BLOCKS_PER_PAGE = PAGE_SIZE_BYTES * Byte.SIZE;
    /** Largest data area: 2^31 blocks (8 TiB), so the bitmap (256 MiB) fits in one Java array. */
    public static final long MAX_BLOCK_COUNT = 1L << 31;

    private static final int WORDS_PER_PAGE = PAGE_SIZE_BYTES / Long.BYTES;
    private static final int WORD_TO_PAGE_SHIFT = Integer.numberOfTrailingZeros(WORDS_PER_PAGE);

    private final long blockCount;
    private final long[] words;
    private final BitSet changedPages = new BitSet();
    private long dirtyCount;

    /** An all-clean bitmap of {@code blockCount} blocks, with no changed pages. */
    public DirtyBitmap(long blockCount) {
        if (blockCount < 1 || blockCount > MAX_BLOCK_COUNT) {
            throw new IllegalArgumentException(
                    "bitmap block count must be in 1.." + MAX_BLOCK_COUNT + ", got " + blockCount);
        }
        this.blockCount = blockCount;
        this.words = new long[Math.toIntExact((blockCount + Long.SIZE - 1) / Long.SIZE)];
    }

    /** A bitmap for a data area of {@code dataSizeBytes}, which must be a whole number of blocks. */
    public static DirtyBitmap forDataSize(long dataSizeBytes) {
        return new DirtyBitmap(blockCountFor(dataSizeBytes));
    }

    /** Blocks in a data area of {@code dataSizeBytes}; refuses sizes that are not whole blocks. */
    public static long blockCountFor(long dataSizeBytes) {
        if (dataSizeBytes <= 0 || dataSizeBytes % BLOCK_SIZE_BYTES != 0) {
            throw new IllegalArgumentException("data size must be a positive multiple of "
                    + BLOCK_SIZE_BYTES + " bytes, got " + dataSizeBytes);
        }
        long blocks = dataSizeBytes / BLOCK_SIZE_BYTES;
        if (blocks > MAX_BLOCK_COUNT) {
            throw new IllegalArgumentException("data size " + dataSizeBytes + " bytes exceeds the limit of "
                    + MAX_BLOCK_COUNT * BLOCK_SIZE_BYTES + " bytes");
        }
        return blocks;
    }

    /** On-disk pages needed for {@code blockCount} blocks. */
    public static int pageCountFor(long blockCount) {
        return Math.toIntExact((blockCount + BLOCKS_PER_PAGE - 1) / BLOCKS_PER_PAGE);
    }

    public long blockCount() {
        return blockCount;
    }

    public int pageCount() {
        return pageCountFor(blockCount);
    }

    /** Dirties every block that holds at least one byte of {@code [offsetBytes, offsetBytes + lengthBytes)}. */
    public void mark(long offsetBytes, long lengthBytes) {
        long sizeBytes = blockCount * BLOCK_SIZE_BYTES;
        if (offsetBytes < 0 || lengthBytes < 0 || offsetBytes > sizeBytes || lengthBytes > sizeBytes - offsetBytes) {
            throw new IllegalArgumentException("write of " + lengthBytes + " bytes at offset " + offsetBytes
                    + " is outside the data area of " + sizeBytes + " bytes");
        }
        if (lengthBytes == 0) {
            return;
        }
        long first = offsetBytes / BLOCK_SIZE_BYTES;
        long end = (offsetBytes + lengthBytes + BLOCK_SIZE_BYTES - 1) / BLOCK_SIZE_BYTES;
        setRange(first, end, true);
    }

    /** Dirties {@code count} blocks from {@code firstBlock}. */
    public void markBlocks(long firstBlock, long count) {
        checkRange(firstBlock, count);
        setRange(firstBlock, firstBlock + count, true);
    }

    /** Dirties every block, as a full sync needs. */
    public void markAll() {
        setRange(0, blockCount, true);
    }

    /** Cleans {@code count} blocks from {@code firstBlock}. */
    public void clear(long firstBlock, long count) {
        checkRange(firstBlock, count);
        setRange(firstBlock, firstBlock + count, false);
    }

    /** Cleans the blocks of {@code extent}. */
    public void clear(Extent extent) {
        clear(extent.firstBlock(), extent.blockCount());
    }

    public boolean isDirty(long block) {
        checkBlock(block);
        return (words[(int) (block >>> 6)] & (1L << block)) != 0;
    }

    /** Dirty blocks in the whole bitmap. */
    public long dirtyCount() {
        return dirtyCount;
    }

    /** Dirty blocks in {@code [fromBlock, toBlock)}. */
    public long dirtyCount(long fromBlock, long toBlock) {
        if (fromBlock < 0 || toBlock < fromBlock || toBlock > blockCount) {
            throw new IllegalArgumentException("block range [" + fromBlock + ", " + toBlock
                    + ") is outside 0.." + blockCount);
        }
        long count = 0;
        for (long b = fromBlock; b < toBlock; ) {
            int w = (int) (b >>> 6);
            long wordEnd = Math.min(((long) w + 1) << 6, toBlock);
            count += Long.bitCount(words[w] & mask(b, wordEnd));
            b = wordEnd;
        }
        return count;
    }

    /** The first run of dirty blocks at or after {@code fromBlock}, merged as long as it lasts. */
    public Optional<Extent> nextExtent(long fromBlock) {
        if (fromBlock < 0 || fromBlock > blockCount) {
            throw new IllegalArgumentException("block " + fromBlock + " is outside 0.." + blockCount);
        }
        long first = nextSetBit(fromBlock);
        if (first < 0) {
            return Optional.empty();
        }
        return Optional.of(new Extent(first, nextClearBit(first) - first));
    }

    /**
     * Dirty runs in ascending order, computed lazily as the iteration proceeds (so it reflects changes
     * made meanwhile and never holds more than one extent).
     */
    public Iterable<Extent> extents() {
        return () -> new Iterator<>() {
            private Optional<Extent> next = nextExtent(0);

            @Override
            public boolean hasNext() {
                return next.isPresent();
            }

            @Override
            public Extent next() {
                Extent e = next.orElseThrow(NoSuchElementException::new);
                next = e.endBlock() >= blockCount ? Optional.empty() : nextExtent(e.endBlock());
                return e;
            }
        };
    }

    /** Dirties here every block dirty in {@code other} (same size required). */
    public void union(DirtyBitmap other) {
        if (other.blockCount != blockCount) {
            throw new IllegalArgumentException("cannot unite a bitmap of " + other.blockCount
                    + " blocks with one of " + blockCount + " blocks");
        }
        for (int w = 0; w < words.length; w++) {
            store(w, words[w] | other.words[w]);
        }
    }

    /** An independent copy of the bits, with no changed pages. */
    public DirtyBitmap copy() {
        DirtyBitmap c = new DirtyBitmap(blockCount);
        System.arraycopy(words, 0, c.words, 0, words.length);
        c.dirtyCount = dirtyCount;
        return c;
    }

    /** Whether any page changed since it was last taken. */
    public boolean hasChangedPages() {
        return !changedPages.isEmpty();
    }

    /**
     * The pages changed since the last call, ascending, and forgets them: the caller writes them, and
     * gives them back with {@link #restoreChangedPages} if writing or forcing them fails.
     */
    public int[] takeChangedPages() {
        int[] pages = changedPages.stream().toArray();
        changedPages.clear();
        return pages;
    }

    /** Marks {@code pages} changed again, after a failed attempt to persist them. */
    public void restoreChangedPages(int[] pages) {
        for (int p : pages) {
            checkPage(p);
            changedPages.set(p);
        }
    }

    /** Puts the on-disk image of {@code page} (exactly {@link #PAGE_SIZE_BYTES} bytes) into {@code dst}. */
    public void writePage(int page, ByteBuffer dst) {
        checkPage(page);
        if (dst.remaining() < PAGE_SIZE_BYTES) {
            throw new IllegalArgumentException("need " + PAGE_SIZE_BYTES + " bytes for a bitmap page, buffer has "
                    + dst.remaining());
        }
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int firstWord = page * WORDS_PER_PAGE;
        for (int i = 0; i < WORDS_PER_PAGE; i++) {
            int w = firstWord + i;
            out.putLong(w < words.length ? words[w] : 0L);
        }
        dst.position(dst.position() + PAGE_SIZE_BYTES);
    }

    /**
     * Replaces the bits of {@code page} with its on-disk image from {@code src}. The page does not
     * count as changed: it now matches the disk. Refuses an image with bits past the last block,
     * which this class never writes, so such a page is corrupt or belongs to another data size.
     */
    public void readPage(int page, ByteBuffer src) {
        checkPage(page);
        if (src.remaining() < PAGE_SIZE_BYTES) {
            throw new IllegalArgumentException("need " + PAGE_SIZE_BYTES + " bytes for a bitmap page, buffer has "
                    + src.remaining());
        }
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int firstWord = page * WORDS_PER_PAGE;
        long[] image = new long[WORDS_PER_PAGE];
        for (int i = 0; i < WORDS_PER_PAGE; i++) {
            image[i] = in.getLong();
            int w = firstWord + i;
            long valid = w < words.length ? mask((long) w << 6, Math.min(((long) w + 1) << 6, blockCount)) : 0L;
            if ((image[i] & ~valid) != 0) {
                throw new IllegalArgumentException("bitmap page " + page + " has bits set past the last block "
                        + (blockCount - 1) + " (word " + i + " of the page)");
            }
        }
        for (int i = 0; i < WORDS_PER_PAGE && firstWord + i < words.length; i++) {
            int w = firstWord + i;
            dirtyCount += Long.bitCount(image[i]) - Long.bitCount(words[w]);
            words[w] = image[i];
        }
        src.position(src.position() + PAGE_SIZE_BYTES);
    }

    @Override
    public String toString() {
        return "DirtyBitmap{blocks=" + blockCount + ", dirty=" + dirtyCount + ", changedPages="
                + changedPages.cardinality() + "}";
    }

    private void setRange(long from, long to, boolean value) {
        for (long b = from; b < to; ) {
            int w = (int) (b >>> 6);
            long wordEnd = Math.min(((long) w + 1) << 6, to);
            long m = mask(b, wordEnd);
            store(w, value ? words[w] | m : words[w] & ~m);
            b = wordEnd;
        }
    }

    /** Writes one word, keeping the count and the changed pages right; unchanged words cost no page write. */
    private void store(int w, long value) {
        long old = words[w];
        if (old != value) {
            words[w] = value;
            dirtyCount += Long.bitCount(value) - Long.bitCount(old);
            changedPages.set(w >>> WORD_TO_PAGE_SHIFT);
        }
    }

    /** Bits {@code [from, to)} of the word holding {@code from}; {@code to} is at most the word's end. */
    private static long mask(long from, long to) {
        if (to <= from) {
            return 0L;
        }
        int lo = (int) (from & 63);
        int n = (int) (to - from);
        return (n == 64 ? -1L : (1L << n) - 1) << lo;
    }

    private long nextSetBit(long from) {
        if (from >= blockCount) {
            return -1;
        }
        int w = (int) (from >>> 6);
        long word = words[w] & (-1L << from);
        while (true) {
            if (word != 0) {
                long b = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return b < blockCount ? b : -1;
            }
            if (++w == words.length) {
                return -1;
            }
            word = words[w];
        }
    }

    /** The first clean block at or after {@code from}, or {@link #blockCount} if none. */
    private long nextClearBit(long from) {
        if (from >= blockCount) {
            return blockCount;
        }
        int w = (int) (from >>> 6);
        long word = ~words[w] & (-1L << from);
        while (true) {
            if (word != 0) {
                return Math.min(((long) w << 6) + Long.numberOfTrailingZeros(word), blockCount);
            }
            if (++w == words.length) {
                return blockCount;
            }
            word = ~words[w];
        }
    }

    private void checkBlock(long block) {
        if (block < 0 || block >= blockCount) {
            throw new IllegalArgumentException("block " + block + " is outside 0.." + (blockCount - 1));
        }
    }

    private void checkRange(long firstBlock, long count) {
        if (firstBlock < 0 || count < 0 || firstBlock > blockCount || count > blockCount - firstBlock) {
            throw new IllegalArgumentException("block range " + firstBlock + "+" + count
                    + " is outside the bitmap of " + blockCount + " blocks");
        }
    }

    private void checkPage(int page) {
        if (page < 0 || page >= pageCount()) {
            throw new IllegalArgumentException("bitmap page " + page + " is outside 0.." + (pageCount() - 1));
        }
    }
}
