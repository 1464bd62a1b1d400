package io.baton.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.audit.Rotation.Rename;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationTest {

    @Test
    void rotatesBeforeALineWouldGoOverTheLimitButNeverWhileEmpty() {
        assertFalse(Rotation.needed(0, 10, 100));
        assertFalse(Rotation.needed(90, 10, 100));
        assertTrue(Rotation.needed(91, 10, 100));
        assertFalse(Rotation.needed(0, 500, 100), "a line over the limit still goes into an empty file");
    }

    @Test
    void theOldestGoesFirstThenEachShiftsUpOne() {
        assertEquals(List.of(new Rename("events.jsonl.3", null), new Rename("events.jsonl.2", "events.jsonl.3"),
                new Rename("events.jsonl.1", "events.jsonl.2"), new Rename("events.jsonl", "events.jsonl.1")),
                Rotation.plan("events.jsonl", 3));
        assertEquals(List.of(new Rename("events.jsonl.1", null), new Rename("events.jsonl", "events.jsonl.1")),
                Rotation.plan("events.jsonl", 1));
        assertThrows(IllegalArgumentException.class, () -> Rotation.plan("events.jsonl", 0));
    }
}
