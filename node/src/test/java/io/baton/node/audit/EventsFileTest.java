package io.baton.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file itself, on a real directory: at most once, in order, across reopens, torn lines and rotation. */
class EventsFileTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private EventsFile file(long maxBytes, int kept) {
        return new EventsFile(dir, maxBytes, kept, warnings::add);
    }

    private static List<Event> events(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(s -> Event.newBuilder().setSeq(s).setKind("move")
                .setGroup("web").setNode("server1").setLogIndex(100 + s).build()).toList();
    }

    private List<Long> seqsIn(String name) throws IOException {
        return Files.readAllLines(dir.resolve(name)).stream()
                .map(l -> AuditLine.seqOf(l).orElseThrow(() -> new AssertionError("not an event line: " + l)))
                .toList();
    }

    @Test
    void aReopenedFileSkipsWhatItHoldsAndGoesOnAfterIt() throws IOException {
        try (EventsFile f = file(1 << 20, 2)) {
            assertEquals(0, f.lastSeq());
            f.append(events(1, 3));
        }
        try (EventsFile f = file(1 << 20, 2)) {
            assertEquals(3, f.lastSeq());
            f.append(events(1, 5)); // a restart replays from an older snapshot
            f.append(events(4, 6));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqsIn(EventsFile.NAME));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aTornLastLineIsCutOffAtOpen() throws IOException {
        try (EventsFile f = file(1 << 20, 2)) {
            f.append(events(1, 2));
        }
        Files.writeString(dir.resolve(EventsFile.NAME), "{\"seq\":3,\"time\":\"2026-", StandardOpenOption.APPEND);
        try (EventsFile f = file(1 << 20, 2)) {
            assertEquals(2, f.lastSeq());
            f.append(events(3, 3));
        }
        assertEquals(List.of(1L, 2L, 3L), seqsIn(EventsFile.NAME));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).endsWith("events.jsonl: cut off a torn last line of 22 bytes (a crash or a"
                + " failed write in the middle of it)"), warnings.get(0));
    }

    @Test
    void rotatesBySizeKeepingTheNewestFilesInOrder() throws IOException {
        int line = AuditLine.of(events(1, 1).get(0)).getBytes(StandardCharsets.UTF_8).length + 1;
        try (EventsFile f = file(3L * line, 2)) {
            for (long s = 1; s <= 10; s++) {
                f.append(events(s, s));
            }
        }
        assertEquals(List.of(4L, 5L, 6L), seqsIn(EventsFile.NAME + ".2"));
        assertEquals(List.of(7L, 8L, 9L), seqsIn(EventsFile.NAME + ".1"));
        assertEquals(List.of(10L), seqsIn(EventsFile.NAME));
        assertFalse(Files.exists(dir.resolve(EventsFile.NAME + ".3")));
    }

    @Test
    void anEmptyFileJustRotatedContinuesFromTheRotatedOne() throws IOException {
        try (EventsFile f = file(1 << 20, 2)) {
            f.append(events(1, 4));
        }
        Files.move(dir.resolve(EventsFile.NAME), dir.resolve(EventsFile.NAME + ".1"));
        Files.createFile(dir.resolve(EventsFile.NAME));
        try (EventsFile f = file(1 << 20, 2)) {
            assertEquals(4, f.lastSeq());
            f.append(events(1, 5));
        }
        assertEquals(List.of(5L), seqsIn(EventsFile.NAME));
    }

    @Test
    void aFileWithoutAnEventLineAlsoContinuesFromTheRotatedOne() throws IOException {
        try (EventsFile f = file(1 << 20, 2)) {
            f.append(events(1, 4));
        }
        Files.move(dir.resolve(EventsFile.NAME), dir.resolve(EventsFile.NAME + ".1"));
        Files.writeString(dir.resolve(EventsFile.NAME), "not an event\n");
        try (EventsFile f = file(1 << 20, 2)) {
            assertEquals(4, f.lastSeq());
        }
    }

    @Test
    void aGapIsWrittenPastWithOneWarning() throws IOException {
        try (EventsFile f = file(1 << 20, 2)) {
            f.append(events(1, 1));
            f.append(events(5, 6));
        }
        assertEquals(List.of(1L, 5L, 6L), seqsIn(EventsFile.NAME));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("events.jsonl: events 2 to 4 are missing from it"), warnings.get(0));
    }

    @Test
    void aBatchThatFailsHalfwayIsRetriedWithoutWritingALineTwice() throws IOException {
        int line = AuditLine.of(events(1, 1).get(0)).getBytes(StandardCharsets.UTF_8).length + 1;
        // The rotation after two lines fails: events.jsonl.2, the oldest, is a directory that cannot be deleted.
        Path blocker = Files.createDirectory(dir.resolve(EventsFile.NAME + ".2"));
        Files.createFile(blocker.resolve("x"));
        EventsFile f = file(2L * line, 2);
        assertThrows(IOException.class, () -> f.append(events(1, 4)));
        assertEquals(List.of(1L, 2L), seqsIn(EventsFile.NAME));
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        f.append(events(1, 4)); // the writer retries the whole batch
        f.close();
        assertEquals(List.of(1L, 2L), seqsIn(EventsFile.NAME + ".1"));
        assertEquals(List.of(3L, 4L), seqsIn(EventsFile.NAME));
        assertEquals(List.of(), warnings);
    }
}
