package io.baton.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Event;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SeqBookTest {

    @Test
    void whatTheFileHoldsIsSkippedTheNextIsWrittenALaterOneLeavesAGap() {
        assertEquals(SeqBook.Step.WRITE, SeqBook.step(0, 1));
        assertEquals(SeqBook.Step.SKIP, SeqBook.step(10, 3));
        assertEquals(SeqBook.Step.SKIP, SeqBook.step(10, 10));
        assertEquals(SeqBook.Step.WRITE, SeqBook.step(10, 11));
        assertEquals(SeqBook.Step.WRITE_AFTER_GAP, SeqBook.step(10, 12));
    }

    @Test
    void aGapNamesTheMissingEvents() {
        assertEquals("/d/events.jsonl: event 11 is missing from it: it was no longer in the replicated state (which"
                + " keeps the last 500) when this node came to write it", SeqBook.gap("/d/events.jsonl", 10, 12));
        assertEquals("/d/events.jsonl: events 11 to 599 are missing from it: they were no longer in the replicated state"
                + " (which keeps the last 500) when this node came to write them",
                SeqBook.gap("/d/events.jsonl", 10, 600));
    }

    @Test
    void newerTakesTheOldestFirstUpToTheRoomLeft() {
        List<Event> retained = LongStream.rangeClosed(5, 9).mapToObj(s -> Event.newBuilder().setSeq(s).build()).toList();
        assertEquals(List.of(7L, 8L, 9L), seqs(SeqBook.newer(retained, 6, 100)));
        assertEquals(List.of(7L, 8L), seqs(SeqBook.newer(retained, 6, 2)));
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), seqs(SeqBook.newer(retained, 0, 100)));
        assertEquals(List.of(), seqs(SeqBook.newer(retained, 9, 100)));
    }

    private static List<Long> seqs(List<Event> events) {
        return events.stream().map(Event::getSeq).toList();
    }
}
