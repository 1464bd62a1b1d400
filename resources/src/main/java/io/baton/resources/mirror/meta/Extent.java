package io.baton.resources.mirror.meta;

/**
 * A run of consecutive 4 KiB blocks of the data area: the unit the dirty bitmap reports and resync
 * copies. Blocks, not bytes, so that an extent can never describe a partial block.
 *
 * @param firstBlock index of the first block, from 0
 * @param blockCount number of blocks, at least 1
 */
public record Extent(long firstBlock, long blockCount) {

    public Extent {
        if (firstBlock < 0) {
            throw new IllegalArgumentException("extent first block must be >= 0, got " + firstBlock);
        }
        if (blockCount < 1) {
            throw new IllegalArgumentException("extent block count must be >= 1, got " + blockCount);
        }
        if (firstBlock > Long.MAX_VALUE / DirtyBitmap.BLOCK_SIZE_BYTES - blockCount) {
            throw new IllegalArgumentException("extent " + firstBlock + "+" + blockCount + " overflows a byte offset");
        }
    }

    /** The block just after the extent (exclusive end). */
    public long endBlock() {
        return firstBlock + blockCount;
    }

    /** Byte offset of the extent in the data area. */
    public long offsetBytes() {
        return firstBlock * DirtyBitmap.BLOCK_SIZE_BYTES;
    }

    /** Length of the extent in bytes. */
    public long lengthBytes() {
        return blockCount * DirtyBitmap.BLOCK_SIZE_BYTES;
    }
}
