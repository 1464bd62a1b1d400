package io.baton.resources.mirror.meta;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a primary keeps in its activity log, as a pure policy: the caller asks {@link #before} ahead
 * of each write and does what the answer says, then reports completed flushes with {@link #flushed}.
 *
 * <p>The rule it keeps: every extent holding a write that may not be durable on both replicas is in
 * the record last made durable. A write into an extent the record lacks waits for a new record
 * ({@link Step#RECORD}); the record is only ever written then, so its cost is paid when the writes
 * move to a new extent, not per write. Each new record keeps the extents written since the last
 * completed flush and the {@value #RECENT} written most recently, and drops the others (their writes
 * are durable on both sides, or in the persisted bitmap when the peer was away). So after a crash the
 * record is what was written since the last fsync plus at most {@value #RECENT} extents (32 MiB),
 * while a workload that fsyncs after every write and moves between a few extents (a log and a table,
 * say) does not write a record per write. When more than {@link ActiveExtents#CAPACITY} extents were
 * written since the last flush, the caller flushes first ({@link Step#FLUSH_FIRST}).
 *
 * <p>Not thread-safe: the primary calls it under its write lock, which also orders a flush against
 * every write.
 */
public final class ActivityLog {

    /** What the caller must do before the write. */
    public enum Step {
        /** The write's extents are in the durable record: write. */
        WRITE,
        /** Make {@link #pending()} durable, call {@link #recorded}, then write. */
        RECORD,
        /** Too many extents written since the last flush: flush, call {@link #flushed}, ask again. */
        FLUSH_FIRST
    }

    /** Extents kept in a new record for having been written recently, even if flushed since. */
    static final int RECENT = 8;

    private final int capacity;
    /** The extents written most recently, the latest last; at most {@link #RECENT}. */
    private final LinkedHashSet<Integer> recent = new LinkedHashSet<>();
    private int latest = -1;
    /** The extents of the durable record. */
    private TreeSet<Integer> durable = new TreeSet<>();
    /** For each extent of the durable record: the flush generation of its last write. */
    private final Map<Integer, Long> lastWrite = new HashMap<>();
    /** Completed flushes so far: a write at an earlier generation is durable on both replicas. */
    private long flushGeneration;
    private ActiveExtents pending;

    /** Starts from the durable record {@code current} (a new primary's is empty). */
    public ActivityLog(ActiveExtents current) {
        this(current, ActiveExtents.CAPACITY);
    }

    ActivityLog(ActiveExtents current, int capacity) {
        this.capacity = capacity;
        for (int e : current.extents()) {
            durable.add(e);
            lastWrite.put(e, -1L); // written before we started: durable unless written again
        }
    }

    /** The step before a write of {@code length} bytes at {@code offsetBytes}. */
    public Step before(long offsetBytes, long length) {
        int first = extentOf(offsetBytes);
        int last = extentOf(offsetBytes + Math.max(length, 1) - 1);
        boolean recorded = true;
        for (int e = first; e <= last; e++) {
            recorded &= durable.contains(e);
        }
        if (recorded) {
            for (int e = first; e <= last; e++) {
                written(e);
            }
            pending = null;
            return Step.WRITE;
        }
        TreeSet<Integer> next = new TreeSet<>();
        for (int e : durable) {
            if (lastWrite.get(e) == flushGeneration) {
                next.add(e);
            }
        }
        for (int e = first; e <= last; e++) {
            next.add(e);
        }
        if (next.size() > capacity) {
            if (last - first + 1 > capacity) {
                throw new IllegalArgumentException("a write of " + length + " bytes spans more than " + capacity + " extents");
            }
            pending = null;
            return Step.FLUSH_FIRST;
        }
        for (int e : recent) {
            if (next.size() < capacity) {
                next.add(e);
            }
        }
        pending = new ActiveExtents(0, next.stream().mapToInt(Integer::intValue).toArray());
        return Step.RECORD;
    }

    /** The record to make durable after {@link Step#RECORD}. */
    public ActiveExtents pending() {
        if (pending == null) {
            throw new IllegalStateException("no record pending: before() did not answer RECORD");
        }
        return pending;
    }

    /**
     * {@link #pending()} is durable: its extents are the record now, and the write that asked for it
     * counts as written into them at this generation.
     */
    public void recorded(long offsetBytes, long length) {
        ActiveExtents r = pending();
        pending = null;
        durable = new TreeSet<>();
        for (int e : r.extents()) {
            durable.add(e);
        }
        lastWrite.keySet().retainAll(durable);
        for (int e : durable) {
            lastWrite.putIfAbsent(e, flushGeneration);
        }
        for (int e = extentOf(offsetBytes), last = extentOf(offsetBytes + Math.max(length, 1) - 1); e <= last; e++) {
            written(e);
        }
    }

    private void written(int extent) {
        lastWrite.put(extent, flushGeneration);
        if (extent == latest) {
            return; // the common case: the same extent again
        }
        latest = extent;
        recent.remove(extent);
        recent.add(extent);
        if (recent.size() > RECENT) {
            recent.remove(recent.iterator().next());
        }
    }

    /**
     * A flush completed: every write made before it is durable on both replicas, or in the persisted
     * bitmap. Called with the write lock held from before the flush began.
     */
    public void flushed() {
        flushGeneration++;
    }

    /** The extents of the durable record. */
    public int recordedCount() {
        return durable.size();
    }

    static int extentOf(long offsetBytes) {
        return Math.toIntExact(offsetBytes / ActiveExtents.EXTENT_BYTES);
    }
}
