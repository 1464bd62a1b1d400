package io.baton.node.audit;

import io.baton.coordinator.net.LogThrottle;
import io.baton.coordinator.ratis.BatonStateMachine;
import io.baton.coordinator.ratis.StateListener;
import io.baton.coordinator.ratis.StorageFailure;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every committed event to {@code DATA_DIR/events.jsonl} (see {@link EventsFile}), so that
 * history outlives the 500 events the replicated state keeps.
 *
 * <p>On the apply thread it only copies the new events out of the state (memory, under the state
 * machine's lock, as every reader does) into a bounded queue, never waiting: the disk is written by a
 * thread of its own. When the queue is full (the disk stalls) the events stay in the state and are
 * taken at a later apply; only those that meanwhile fall out of the state's 500 are lost to the file,
 * and the file says so in a warning ({@link SeqBook#gap}).
 *
 * <p>A failed write is not fatal: it is logged (one line a minute, naming the path and the error) and
 * retried, with the events kept, until it works. The audit file is no part of the safety path: a data
 * directory that can no longer be written (full, read-only, failing) already stops the node with exit
 * status 74 through the Raft log and the data directory's write probe; a failure of this file alone (a
 * permission, a quota on it) must not take down a node that can still keep its replica.
 */
public final class AuditTrail implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    /** Events waiting for the disk; a move makes a handful. */
    static final int QUEUE = 10_000;
    /** At most this many events a write (and fsync). */
    private static final int BATCH = 256;
    private static final long FIRST_RETRY_MS = 500;
    private static final long LAST_RETRY_MS = 30_000;
    /** How long a clean stop waits for the queue to reach the disk. */
    private static final long DRAIN_MS = 2_000;

    private final BatonStateMachine stateMachine;
    private final EventsFile file;
    private final BlockingQueue<Event> queue;
    private final LogThrottle throttle = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 16);
    private final LongSupplier nanos;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Queued by close() to wake the writer; never written. */
    private static final Event STOP_MARK = Event.newBuilder().setKind("(stop)").build();
    /** An idle writer looks at the stop flag this often even if no mark reaches it. */
    private static final long IDLE_WAIT_SECONDS = 5;
    private final Thread writer;
    /** The last seq put in the queue; only the apply thread changes it. */
    private volatile long queued;
    private volatile boolean closed;

    /** Without its writer thread: {@link #start} starts it; tests call {@link #write} themselves. */
    AuditTrail(BatonStateMachine stateMachine, EventsFile file, int queueSize, LongSupplier nanos) {
        this.stateMachine = stateMachine;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.file = file;
        this.nanos = nanos;
        long written = 0;
        try {
            written = file.lastSeq();
        } catch (IOException e) {
            // The writer retries; until then every event of the state is queued and the file sorts them out.
            failed(e);
        }
        this.queued = written;
        this.writer = new Thread(this::writeLoop, "baton-audit");
        writer.setDaemon(true);
    }

    /** Opens {@code dataDir/events.jsonl} (fixed limits, {@link Rotation}) and starts the writer. */
    public static AuditTrail start(BatonStateMachine stateMachine, Path dataDir) {
        EventsFile file = new EventsFile(dataDir, Rotation.MAX_FILE_BYTES, Rotation.KEPT, line -> log.warn("{}", line));
        AuditTrail trail = new AuditTrail(stateMachine, file, QUEUE, System::nanoTime);
        trail.writer.start();
        return trail;
    }

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        if (closed) {
            return;
        }
        long after = queued;
        int room = queue.remainingCapacity();
        if (room == 0) {
            return;
        }
        List<Event> fresh = stateMachine.read(s -> s.nextEventSeq() - 1 > after
                ? SeqBook.newer(s.events(), after, room) : List.of());
        for (Event e : fresh) {
            if (!queue.offer(e)) {
                return; // taken again at a later apply, from the state
            }
            queued = e.getSeq();
        }
    }

    private void writeLoop() {
        List<Event> batch = new ArrayList<>();
        long retryMs = FIRST_RETRY_MS;
        while (true) {
            if (batch.isEmpty()) {
                try {
                    // Waits for an event rather than polling: close() queues STOP_MARK to wake it.
                    Event first = queue.poll(IDLE_WAIT_SECONDS, TimeUnit.SECONDS);
                    if (first == null || first == STOP_MARK) {
                        if (stop.getCount() == 0 && queue.isEmpty()) {
                            return; // stopping and nothing left
                        }
                        continue;
                    }
                    batch.add(first);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (write(batch)) {
                retryMs = FIRST_RETRY_MS;
                continue;
            }
            try {
                if (stop.await(retryMs, TimeUnit.MILLISECONDS)) {
                    return; // stopping: a clean stop does not wait for a failed disk
                }
            } catch (InterruptedException x) {
                return;
            }
            retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
        }
    }

    /**
     * One write: {@code batch} (what failed last time, or a first event) topped up from the queue,
     * appended. Emptied when it worked; kept, for the next try, when it failed (logged).
     */
    boolean write(List<Event> batch) {
        queue.drainTo(batch, Math.max(0, BATCH - batch.size()));
        batch.removeIf(e -> e == STOP_MARK);
        if (batch.isEmpty()) {
            return true;
        }
        try {
            file.append(batch);
            batch.clear();
            return true;
        } catch (IOException | RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /** One line a minute, the path and the reason with its errno name, the count held back since. */
    private void failed(Exception e) {
        long held = throttle.occurrence("write", nanos.getAsLong());
        if (held >= 0) {
            StorageFailure f = StorageFailure.of(e, file.path().toString());
            log.warn("audit trail {}: {}; retrying, the events are kept and the node goes on{}", f.path(), f.reason(),
                    held > 0 ? " (" + held + " more failures since the last line)" : "");
        }
    }

    /** Stops taking events, writes what is queued (waiting at most 2 s), closes the file. */
    @Override
    public void close() {
        closed = true;
        stop.countDown();
        queue.offer(STOP_MARK); // wakes an idle writer; a full queue means it is busy anyway
        try {
            writer.join(DRAIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
            try {
                writer.join(DRAIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        file.close();
    }
}
