package io.baton.coordinator.sim;

import java.util.PriorityQueue;

/**
 * Simulated time: a queue of events at true nanoseconds, run in (time, insertion) order. An event may
 * belong to a node incarnation: it is dropped if that incarnation crashed, and frozen (kept for the
 * resume) while the node is paused, like the timers and sockets of a SIGSTOPped process.
 */
final class Scheduler {
    private record Event(long at, long seq, SimNode owner, long incarnation, Runnable action)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private long ran;

    long now() {
        return now;
    }

    long eventsRun() {
        return ran;
    }

    void at(long t, Runnable action) {
        at(t, null, action);
    }

    /** Runs {@code action} at true time {@code t} (not before now) if {@code owner}'s incarnation still runs then. */
    void at(long t, SimNode owner, Runnable action) {
        queue.add(new Event(Math.max(t, now), seq++, owner, owner == null ? 0 : owner.incarnation, action));
    }

    /** The time of the next event, or Long.MAX_VALUE. */
    long peek() {
        Event e = queue.peek();
        return e == null ? Long.MAX_VALUE : e.at;
    }

    /** Runs the next event; false if it was dropped or frozen (nothing happened). */
    boolean step() {
        Event e = queue.poll();
        now = e.at;
        if (e.owner != null) {
            if (e.owner.incarnation != e.incarnation || e.owner.status == SimNode.Status.CRASHED) {
                return false;
            }
            if (e.owner.status == SimNode.Status.PAUSED) {
                e.owner.frozen.add(e.action);
                return false;
            }
        }
        ran++;
        e.action.run();
        return true;
    }
}
