package io.baton.resources.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ResyncPlanTest {

    private static final long B = DirtyBitmap.BLOCK_SIZE_BYTES;

    private static DirtyBitmap bitmap(long blocks, long... firstAndCount) {
        DirtyBitmap bm = new DirtyBitmap(blocks);
        for (int i = 0; i < firstAndCount.length; i += 2) {
            bm.markBlocks(firstAndCount[i], firstAndCount[i + 1]);
        }
        return bm;
    }

    /** Hands out and completes every chunk, returning them in order. */
    private static List<Extent> drain(ResyncPlan plan, long maxBytes) {
        List<Extent> out = new ArrayList<>();
        for (Optional<Extent> e = plan.next(maxBytes); e.isPresent(); e = plan.next(maxBytes)) {
            out.add(e.get());
            plan.completed(e.get());
        }
        return out;
    }

    @Test
    void kindFollowsTheGenerations() {
        assertEquals(ResyncKind.DIFFERENTIAL, ResyncKind.between(7, 7));
        assertEquals(ResyncKind.FULL, ResyncKind.between(7, 0), "first attach");
        assertEquals(ResyncKind.FULL, ResyncKind.between(7, 8), "unrelated lineage");
        assertThrows(IllegalArgumentException.class, () -> ResyncKind.between(0, 0));
    }

    @Test
    void differentialCopiesTheUnionInAscendingOrder() {
        DirtyBitmap source = bitmap(1000, 500, 10, 20, 5);
        DirtyBitmap target = bitmap(1000, 25, 5, 900, 1);
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, source, target, 0);
        assertEquals(21 * B, plan.totalBytes());
        assertEquals(0, plan.progressPercent());
        assertEquals(List.of(new Extent(20, 10), new Extent(500, 10), new Extent(900, 1)), drain(plan, 1 << 20));
        assertTrue(plan.isComplete());
        assertEquals(100, plan.progressPercent());
        assertEquals(901, plan.cursorBlock());
        assertEquals(0, plan.remainingBytes());
        assertEquals(15, source.dirtyCount(), "the plan works on copies");
    }

    @Test
    void chunksAreBoundedAndNeverCrossARun() {
        DirtyBitmap source = bitmap(100, 0, 10, 12, 3);
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, source, new DirtyBitmap(100), 0);
        assertEquals(List.of(new Extent(0, 4), new Extent(4, 4), new Extent(8, 2), new Extent(12, 3)),
                drain(plan, 4 * B + 100));
        assertThrows(IllegalArgumentException.class, () -> plan.next(B - 1));
    }

    @Test
    void progressCountsCompletedChunksOnly() {
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(100, 0, 4), bitmap(100), 0);
        Extent a = plan.next(B).orElseThrow();
        Extent b = plan.next(B).orElseThrow();
        assertEquals(2, plan.inFlightCount());
        assertEquals(0, plan.bytesDone());
        plan.completed(a);
        assertEquals(B, plan.bytesDone());
        assertEquals(25, plan.progressPercent());
        assertEquals(1, plan.cursorBlock());
        plan.completed(b);
        assertEquals(50, plan.progressPercent());
        assertFalse(plan.isComplete());
    }

    @Test
    void completionsMustFollowTheHandOutOrder() {
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(100, 0, 4), bitmap(100), 0);
        Extent a = plan.next(B).orElseThrow();
        Extent b = plan.next(B).orElseThrow();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.completed(b));
        assertEquals("resync completion of Extent[firstBlock=1, blockCount=1] out of order: expected "
                + "Extent[firstBlock=0, blockCount=1] (completions follow the order chunks were handed out)", e.getMessage());
        plan.completed(a);
        plan.completed(b);
        assertThrows(IllegalStateException.class, () -> plan.completed(b));
        assertEquals(2, plan.cursorBlock());
    }

    @Test
    void resumeSkipsTheTargetsBlocksBelowTheCursorButNotTheSourcesNewWrites() {
        // First attempt: the target's blocks 10..19 and 60..69 and the source's 40..44; interrupted
        // after completing everything below block 45.
        DirtyBitmap target = bitmap(100, 10, 10, 60, 10);
        DirtyBitmap source = bitmap(100, 40, 5);
        ResyncPlan first = ResyncPlan.create(ResyncKind.DIFFERENTIAL, source, target, 0);
        first.completed(first.next(1 << 20).orElseThrow());
        Extent e = first.next(1 << 20).orElseThrow();
        first.completed(e);
        source.clear(e); // what the source does on a durable ack
        assertEquals(45, first.cursorBlock());

        // While the target was away again the source wrote block 5, below the cursor, and block 80.
        source.markBlocks(5, 1);
        source.markBlocks(80, 1);
        ResyncPlan resumed = ResyncPlan.create(ResyncKind.DIFFERENTIAL, source, target, 45);
        assertEquals(List.of(new Extent(5, 1), new Extent(60, 10), new Extent(80, 1)), drain(resumed, 1 << 20));
        assertEquals(81, resumed.cursorBlock());
        assertEquals((10 + 1 + 10 + 1) * B, resumed.totalBytes(), "the target's 10 blocks skipped count as done");
        assertEquals(100, resumed.progressPercent());
    }

    @Test
    void aResumedPlanStartsWithTheSkippedBytesDone() {
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(100), bitmap(100, 0, 100), 25);
        assertEquals(100 * B, plan.totalBytes());
        assertEquals(25 * B, plan.bytesDone());
        assertEquals(25, plan.progressPercent());
        assertEquals(Optional.of(new Extent(25, 75)), plan.next(1 << 30));
    }

    @Test
    void fullSyncCopiesEverythingAndResumesFromTheCursor() {
        long blocks = 3 * 256 + 7;
        ResyncPlan full = ResyncPlan.create(ResyncKind.FULL, new DirtyBitmap(blocks), null, 0);
        assertEquals(blocks * B, full.totalBytes());
        List<Extent> chunks = drain(full, 1 << 20);
        assertEquals(List.of(new Extent(0, 256), new Extent(256, 256), new Extent(512, 256), new Extent(768, 7)),
                chunks);
        assertEquals(blocks, full.cursorBlock());
        assertTrue(full.isComplete());

        DirtyBitmap source = bitmap(blocks, 3, 1); // written during the interruption
        ResyncPlan resumed = ResyncPlan.create(ResyncKind.FULL, source, null, 700);
        assertEquals(699 * B, resumed.bytesDone());
        assertEquals(List.of(new Extent(3, 1), new Extent(700, 75)), drain(resumed, 1 << 30));
        assertEquals(100, resumed.progressPercent());
    }

    @Test
    void anEmptyPlanIsCompleteAtOnce() {
        ResyncPlan plan = ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(10), bitmap(10), 0);
        assertTrue(plan.isComplete());
        assertEquals(Optional.empty(), plan.next(B));
        assertEquals(100, plan.progressPercent());
        assertEquals(0, plan.totalBytes());
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(10), bitmap(11), 0));
        assertThrows(NullPointerException.class,
                () -> ResyncPlan.create(ResyncKind.DIFFERENTIAL, bitmap(10), null, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResyncPlan.create(ResyncKind.FULL, bitmap(10), null, 11));
        assertEquals("resync cursor 11 is outside 0..10", e.getMessage());
    }
}
