package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.FencedPayload;
import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.mirror.meta.EpochGuard.Admission;
import io.baton.resources.mirror.meta.Superblock.Flag;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochGuardTest {

    private static final Superblock FIRST = Superblock.initial("web/disk", "node-2", 1L << 20, 0);

    @TempDir
    Path dir;

    @Test
    void equalIsAdmittedHigherIsPersistedLowerIsRefused() throws Exception {
        try (MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST)) {
            EpochGuard guard = new EpochGuard(area);
            assertEquals(0, guard.highestEpochSeen());
            assertEquals(Admission.ADMITTED, guard.admit(0));

            assertEquals(Admission.RAISED, guard.admit(5));
            assertEquals(5, area.current().highestEpochSeen(), "persisted before admit returned");
            assertEquals(2, area.current().sequence());

            assertEquals(Admission.ADMITTED, guard.admit(5));
            assertEquals(2, area.current().sequence(), "an equal epoch writes nothing");

            assertEquals(Admission.REFUSED, guard.admit(4));
            assertFalse(Admission.REFUSED.admitted());
            assertEquals(5, guard.highestEpochSeen());
            assertThrows(IllegalArgumentException.class, () -> guard.admit(-1));
        }
    }

    @Test
    void theRaiseSurvivesReopenSoADeposedOwnerStaysRefused() throws Exception {
        Path p = dir.resolve("md");
        try (MetadataArea area = MetadataArea.create(p, FIRST)) {
            assertTrue(new EpochGuard(area).admit(8).admitted());
        }
        try (MetadataArea area = MetadataArea.open(p)) {
            EpochGuard guard = new EpochGuard(area);
            assertEquals(8, guard.highestEpochSeen());
            assertEquals(Admission.REFUSED, guard.admit(7));
            assertEquals(Admission.ADMITTED, guard.admit(8));
        }
    }

    @Test
    void otherSuperblockUpdatesCannotUndoARaise() throws Exception {
        try (MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST)) {
            EpochGuard guard = new EpochGuard(area);
            Superblock stale = area.current();
            guard.admit(3);
            area.update(sb -> sb.withFlag(Flag.WAS_PRIMARY, true));
            assertEquals(3, guard.highestEpochSeen());
            assertThrows(IllegalArgumentException.class, () -> area.write(stale.withResyncCursorBlock(1)));
            assertEquals(Admission.REFUSED, guard.admit(2));
        }
    }

    @Test
    void aRaiseThatCannotBePersistedIsNotAdmitted() throws Exception {
        MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST);
        EpochGuard guard = new EpochGuard(area);
        guard.admit(2);
        area.close(); // the disk is gone: the write of the new epoch fails
        assertThrows(IOException.class, () -> guard.admit(3));
        assertEquals(2, guard.highestEpochSeen());
        assertEquals(Admission.ADMITTED, guard.admit(2), "no write needed for the persisted epoch");
    }

    @Test
    void theFencedAnswerCarriesTheHighestEpoch() throws Exception {
        try (MetadataArea area = MetadataArea.create(dir.resolve("md"), FIRST)) {
            EpochGuard guard = new EpochGuard(area);
            guard.admit(6);
            Frame answer = guard.fencedAnswer(41);
            assertEquals(FrameType.FENCED, answer.type());
            assertEquals(41, answer.seq());
            assertEquals(new FencedPayload(6), FencedPayload.from(answer));
        }
    }
}
