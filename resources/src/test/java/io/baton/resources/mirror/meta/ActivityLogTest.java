package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.FrameException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.resources.mirror.meta.ActivityLog.Step;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class ActivityLogTest {

    private static final long MIB = 1 << 20;
    private static final long EXTENT = ActiveExtents.EXTENT_BYTES;

    /** Runs the steps a primary runs for one write, with a flush where asked; returns the steps seen. */
    private static String write(ActivityLog log, long offset, long length) {
        StringBuilder steps = new StringBuilder();
        while (true) {
            Step s = log.before(offset, length);
            steps.append(s).append(' ');
            if (s == Step.FLUSH_FIRST) {
                log.flushed();
                continue;
            }
            if (s == Step.RECORD) {
                log.recorded(offset, length);
            }
            return steps.toString().strip();
        }
    }

    @Test
    void aRecordIsWrittenOnlyWhenAWriteEntersAnExtentTheRecordLacks() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        assertEquals(Step.RECORD, log.before(0, 4096));
        assertArrayEquals(new int[] {0}, log.pending().extents());
        log.recorded(0, 4096);
        assertEquals("WRITE", write(log, 4096, 4096));
        assertEquals("WRITE", write(log, EXTENT - 4096, 4096), "the last block of the same extent");
        assertEquals("RECORD", write(log, EXTENT, 4096), "the next extent");
        assertEquals(2, log.recordedCount());
    }

    @Test
    void aWriteAcrossTwoExtentsRecordsBoth() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        assertEquals(Step.RECORD, log.before(EXTENT - MIB / 2, MIB));
        assertArrayEquals(new int[] {0, 1}, log.pending().extents());
    }

    @Test
    void aNewRecordKeepsWhatWasWrittenSinceTheLastFlushAndTheRecentExtentsOnly() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        for (int e = 0; e < 20; e++) {
            write(log, e * EXTENT, 4096);
        }
        assertEquals(20, log.recordedCount(), "no flush yet: everything written is in the record");
        log.flushed();                       // all 20 durable on both sides
        write(log, 3 * EXTENT, 4096);        // 3 written again after the flush: WRITE, and it must stay
        assertEquals(Step.RECORD, log.before(40 * EXTENT, 4096));
        // Kept: 3 (written since the flush) and the 8 written last (12..19, with 3 now the latest); 40 added.
        assertArrayEquals(new int[] {3, 13, 14, 15, 16, 17, 18, 19, 40}, log.pending().extents());
        log.recorded(40 * EXTENT, 4096);
        assertEquals(Step.RECORD, log.before(0, 4096), "0 left the record: writing it again needs one");
    }

    @Test
    void aWorkloadMovingBetweenAFewExtentsWithAFlushAfterEachWriteWritesNoMoreRecords() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            steps.append(write(log, (i % 4) * 7 * EXTENT, 4096)).append(' ');
            log.flushed();
        }
        assertEquals(4, steps.toString().split("RECORD", -1).length - 1, "one record per extent entered: " + steps);
    }

    @Test
    void anExtentWrittenAgainAfterAFlushIsKeptUntilTheNextFlush() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        for (int e = 0; e <= ActivityLog.RECENT; e++) {
            write(log, e * EXTENT, 4096);
        }
        log.flushed();
        write(log, 0, 4096);                 // 0 is the oldest but written since the flush
        log.flushed();
        log.flushed();
        assertEquals(Step.RECORD, log.before(100 * EXTENT, 4096));
        int[] kept = log.pending().extents();
        assertEquals(ActivityLog.RECENT + 1, kept.length, "the recent ones and the new one");
        assertEquals(100, kept[kept.length - 1]);
    }

    @Test
    void moreExtentsThanTheCapacitySinceTheLastFlushAskForAFlushFirst() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1), 3);
        assertEquals("RECORD", write(log, 0, 1));
        assertEquals("RECORD", write(log, EXTENT, 1));
        assertEquals("RECORD", write(log, 2 * EXTENT, 1));
        assertEquals("FLUSH_FIRST RECORD", write(log, 3 * EXTENT, 1));
        assertEquals(3, log.recordedCount(), "after the flush the new extent and recent ones, up to the capacity");
        assertEquals("RECORD", write(log, 4 * EXTENT, 1), "only 3 and 4 written since the flush: no flush needed");
        assertThrows(IllegalArgumentException.class, () -> log.before(0, 4 * EXTENT), "wider than the whole record");
    }

    @Test
    void pendingWithoutARecordStepIsAMistake() {
        ActivityLog log = new ActivityLog(ActiveExtents.none(1));
        assertThrows(IllegalStateException.class, log::pending);
    }

    @Test
    void theRecordMarksWholeExtentsInTheBitmapCutAtItsEnd() {
        DirtyBitmap bitmap = DirtyBitmap.forDataSize(EXTENT + MIB); // the second extent is 1 MiB long
        new ActiveExtents(1, new int[] {1}).markIn(bitmap);
        assertEquals(MIB / 4096, bitmap.dirtyCount());
        new ActiveExtents(1, new int[] {0}).markIn(bitmap);
        assertEquals((EXTENT + MIB) / 4096, bitmap.dirtyCount());
    }

    @Test
    void theWireFormRoundTripsAndRefusesNonsense() throws Exception {
        ActiveExtents r = new ActiveExtents(0, new int[] {2, 40, 999});
        ByteBuffer b = ByteBuffer.allocate(r.wireBytes());
        r.putWire(b);
        b.flip();
        assertEquals(r, ActiveExtents.getWire(b));
        ByteBuffer other = ByteBuffer.allocate(8).putInt(1 << 20).putInt(0).flip();
        assertEquals("activity log of 1048576-byte extents, this build uses 4194304",
                assertThrows(FrameException.class, () -> ActiveExtents.getWire(other)).getMessage());
        ByteBuffer cut = ByteBuffer.allocate(12).putInt(ActiveExtents.EXTENT_BYTES).putInt(5).putInt(1).flip();
        assertEquals("activity log of 5 extents does not fit the frame",
                assertThrows(FrameException.class, () -> ActiveExtents.getWire(cut)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ActiveExtents(0, new int[] {3, 3}));
    }
}
