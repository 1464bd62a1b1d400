package io.baton.coordinator.ratis;

import static io.baton.coordinator.ratis.SnapshotCatchUp.Send.LOG_ENTRIES;
import static io.baton.coordinator.ratis.SnapshotCatchUp.Send.SNAPSHOT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SnapshotCatchUpTest {

    @Test
    void nextIsTheLogsFirstEntryAfterAPurgeAndTheSnapshotIsLater() {
        // The RATIS-1707 corner: log starts at 2356, entry 2355 purged, snapshot at 3200.
        assertEquals(SNAPSHOT, SnapshotCatchUp.decide(2356, 4000, false, 3200));
    }

    @Test
    void previousEntryStillInTheLogMeansAnAppend() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(2356, 4000, true, 3200));
    }

    @Test
    void snapshotEndingJustBeforeGivesThePreviousTerm() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(2356, 4000, false, 2355));
    }

    @Test
    void followerUpToDateNeedsNothing() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(4000, 4000, false, 3200));
    }

    @Test
    void firstEntryOfAllNeedsNoPrevious() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(0, 10, false, 5));
    }

    @Test
    void noSnapshotLeavesItToRatis() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(2356, 4000, false, -1));
    }

    @Test
    void snapshotOlderThanThePreviousEntryCannotHelp() {
        assertEquals(LOG_ENTRIES, SnapshotCatchUp.decide(2356, 4000, false, 2000));
    }
}
