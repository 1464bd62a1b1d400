package io.baton.node.audit;

import io.baton.proto.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * The seq bookkeeping of the audit trail, pure: which events are new to the file, and where the file
 * has a hole. Events are numbered 1, 2, 3, ... by the replicated state, identically on every node,
 * so the last seq written is all the file needs to remember: after a restart, when the log is replayed
 * or a snapshot loaded, an event at or below it was written already and one above it was not.
 */
public final class SeqBook {
    private SeqBook() {
    }

    /** What to do with event {@code seq} when the file ends at {@code lastWritten} (0: empty). */
    public enum Step {
        /** Written already (a replay after a restart, or a retry after a failed write). */
        SKIP,
        /** The next one. */
        WRITE,
        /** Newer than the next one: the ones between are lost to this file (see {@link #gap}). */
        WRITE_AFTER_GAP
    }

    public static Step step(long lastWritten, long seq) {
        if (seq <= lastWritten) {
            return Step.SKIP;
        }
        return seq == lastWritten + 1 ? Step.WRITE : Step.WRITE_AFTER_GAP;
    }

    /** The one line that says which events a file that ends at {@code lastWritten} misses before {@code seq}. */
    public static String gap(String file, long lastWritten, long seq) {
        if (seq - lastWritten == 2) {
            return file + ": event " + (lastWritten + 1) + " is missing from it: it was no longer in the"
                    + " replicated state (which keeps the last 500) when this node came to write it";
        }
        return file + ": events " + (lastWritten + 1) + " to " + (seq - 1) + " are missing from it: they were no"
                + " longer in the replicated state (which keeps the last 500) when this node came to write them";
    }

    /**
     * The events of {@code retained} (in seq order, as the state keeps them) after {@code afterSeq},
     * at most {@code room} of them, oldest first.
     */
    public static List<Event> newer(List<Event> retained, long afterSeq, int room) {
        List<Event> out = new ArrayList<>();
        for (Event e : retained) {
            if (out.size() >= room) {
                break;
            }
            if (e.getSeq() > afterSeq) {
                out.add(e);
            }
        }
        return out;
    }
}
