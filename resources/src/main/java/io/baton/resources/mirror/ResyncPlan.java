package io.baton.resources.mirror;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * What a resync copies from an UpToDate source to a target, in ascending block order, in chunks, and
 * how far it has got. Pure bookkeeping: the caller sends RS_DATA, receives RS_ACK, persists the cursor
 * and clears bitmap bits.
 *
 * <h2>What is copied</h2>
 * Two kinds of block differ between the replicas:
 * <ul>
 *   <li>the <em>source's</em> dirty blocks: written while the target was away. This set can grow
 *       during an interruption (the source keeps writing while the target is gone), anywhere on the
 *       disk, so it is always copied in full, whatever the cursor says;</li>
 *   <li>the <em>governed</em> blocks: the target's own dirty blocks (it may be a deposed primary
 *       with writes the source never had) for a {@link ResyncKind#DIFFERENTIAL differential} resync,
 *       or every block for a {@link ResyncKind#FULL full} one. This set cannot grow while the resync
 *       is under way (the target is Inconsistent and writes nothing of its own), so the blocks of it
 *       below the persisted cursor are known to be copied and are skipped on resume.</li>
 * </ul>
 * So a plan copies the source's dirty blocks plus the governed blocks at or after the cursor, as
 * merged extents in ascending order. Why not simply "the union from the cursor on": a block written
 * below the cursor during an interruption would be lost.
 *
 * <h2>Contract for the caller</h2>
 * <ul>
 *   <li>{@link #completed} only for data the target has made durable (an RS_ACK sent after its
 *       fdatasync, or a FLUSH_ACK covering it), and in the order {@link #next} handed the chunks out
 *       (one TCP stream and one writer on the target keep that order). Then the cursor promises that
 *       every governed block below it is on the target's disk; and the source may clear the
 *       completed extent in its own bitmap.</li>
 *   <li>The cursor is valid only for the same source, the same kind and the same source generation:
 *       resume with it only when all three match, else start from 0.</li>
 *   <li>When {@link #isComplete}, the target adopts the source's generation, both sides clear their
 *       bitmaps' copied bits and reset the cursor, and UpToDate(target) can be committed.</li>
 * </ul>
 *
 * <p>The plan works on copies of the bitmaps taken at creation. Not thread-safe.
 */
public final class ResyncPlan {

    private final ResyncKind kind;
    private final DirtyBitmap work;
    private final ArrayDeque<Extent> inFlight = new ArrayDeque<>();
    private final long totalBlocks;
    private long doneBlocks;
    private long cursorBlock;
    /** Where the next chunk search starts: just past the last chunk handed out. */
    private long handOutBlock;

    private ResyncPlan(ResyncKind kind, DirtyBitmap work, long cursorBlock, long skippedBlocks) {
        this.kind = kind;
        this.work = work;
        this.cursorBlock = cursorBlock;
        this.doneBlocks = skippedBlocks;
        this.totalBlocks = skippedBlocks + work.dirtyCount();
    }

    /**
     * A plan from the source's bitmap, the target's bitmap (ignored, may be null, for a full resync)
     * and the persisted cursor (0 for a fresh resync).
     */
    public static ResyncPlan create(ResyncKind kind, DirtyBitmap source, DirtyBitmap target, long cursorBlock) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source bitmap");
        long blocks = source.blockCount();
        if (cursorBlock < 0 || cursorBlock > blocks) {
            throw new IllegalArgumentException("resync cursor " + cursorBlock + " is outside 0.." + blocks);
        }
        DirtyBitmap governed;
        if (kind == ResyncKind.FULL) {
            governed = new DirtyBitmap(blocks);
            governed.markAll();
        } else {
            Objects.requireNonNull(target, "a differential resync needs the target's bitmap");
            if (target.blockCount() != blocks) {
                throw new IllegalArgumentException("target bitmap has " + target.blockCount()
                        + " blocks, source bitmap " + blocks + ": the replicas differ in size");
            }
            governed = target.copy();
        }
        // Governed blocks below the cursor that the source's bitmap does not also hold: already copied.
        DirtyBitmap union = source.copy();
        union.union(governed);
        long skipped = union.dirtyCount(0, cursorBlock) - source.dirtyCount(0, cursorBlock);

        governed.clear(0, cursorBlock);
        DirtyBitmap work = source.copy();
        work.union(governed);
        return new ResyncPlan(kind, work, cursorBlock, skipped);
    }

    public ResyncKind kind() {
        return kind;
    }

    /**
     * The next chunk to copy, at most {@code maxBytes} (at least one block) and never across the end of
     * a dirty run; empty when everything has been handed out.
     */
    public Optional<Extent> next(long maxBytes) {
        if (maxBytes < DirtyBitmap.BLOCK_SIZE_BYTES) {
            throw new IllegalArgumentException("a resync chunk must allow at least one block ("
                    + DirtyBitmap.BLOCK_SIZE_BYTES + " bytes), got " + maxBytes);
        }
        Optional<Extent> run = work.nextExtent(handOutBlock);
        if (run.isEmpty()) {
            handOutBlock = work.blockCount();
            return Optional.empty();
        }
        long maxBlocks = maxBytes / DirtyBitmap.BLOCK_SIZE_BYTES;
        Extent chunk = new Extent(run.get().firstBlock(), Math.min(run.get().blockCount(), maxBlocks));
        handOutBlock = chunk.endBlock();
        inFlight.addLast(chunk);
        return Optional.of(chunk);
    }

    /**
     * Records that {@code extent}, the oldest chunk handed out and not yet completed, is durable on the
     * target; advances the cursor past it.
     */
    public void completed(Extent extent) {
        Extent oldest = inFlight.peekFirst();
        if (oldest == null) {
            throw new IllegalStateException("resync completion of " + extent + " but no chunk is in flight");
        }
        if (!oldest.equals(extent)) {
            throw new IllegalStateException("resync completion of " + extent + " out of order: expected "
                    + oldest + " (completions follow the order chunks were handed out)");
        }
        inFlight.removeFirst();
        doneBlocks += extent.blockCount();
        cursorBlock = Math.max(cursorBlock, extent.endBlock());
    }

    /** The block to persist as the resync cursor (see the class comment for what it promises). */
    public long cursorBlock() {
        return cursorBlock;
    }

    /** Chunks handed out and not yet completed. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** Whether every chunk has been handed out and completed. */
    public boolean isComplete() {
        return inFlight.isEmpty() && work.nextExtent(Math.min(handOutBlock, work.blockCount())).isEmpty();
    }

    /** Bytes of the whole resync, including those already copied before a resume. */
    public long totalBytes() {
        return totalBlocks * DirtyBitmap.BLOCK_SIZE_BYTES;
    }

    /** Bytes known to be on the target: skipped on resume, or completed. */
    public long bytesDone() {
        return doneBlocks * DirtyBitmap.BLOCK_SIZE_BYTES;
    }

    public long remainingBytes() {
        return totalBytes() - bytesDone();
    }

    /** Whole percent done, 100 only when all is done (and for an empty plan). */
    public int progressPercent() {
        return totalBlocks == 0 ? 100 : (int) (doneBlocks * 100 / totalBlocks);
    }

    @Override
    public String toString() {
        return "ResyncPlan{" + kind + ", " + bytesDone() + "/" + totalBytes() + " bytes, cursor=" + cursorBlock
                + ", inFlight=" + inFlight.size() + "}";
    }
}
