package io.baton.node.alerts;

import io.baton.coordinator.ratis.StateListener;
import io.baton.node.config.AlertConfig;
import io.baton.proto.Event;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers committed events to the cluster's alerts while this node is the Raft leader.
 *
 * <p>On each leadership it starts after the committed cursor ({@code alerts_delivered_seq}), takes
 * the events that follow from the replicated state, and delivers them in order, one at a time: each
 * to every alert that wants its kind, each attempt bounded by the alert's timeout, failed attempts
 * retried after 1, 2, 4... s up to {@value #ATTEMPTS} attempts, then given up with one log line. It
 * commits the cursor through Raft at most once a second and whenever it runs out of work. A
 * leader that dies between a delivery and the commit of its cursor leaves that event to the next
 * leader: at least once, the event's seq as the id to de-duplicate on.
 *
 * <p>Never in the way: it runs on a thread of its own, holds at most {@value #QUEUE} deliveries,
 * and is told of new events ({@link #wake}) only to wake up. A leader that falls behind the
 * events the state keeps (500) says how many it skipped.
 */
public final class AlertDispatcher implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
    static final int QUEUE = 1000;
    static final int ATTEMPTS = 5;
    static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long COMMIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long the thread sleeps with nothing to do, unless an event wakes it. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the dispatcher needs of the cluster: this node's Raft role and the replicated events. */
    public interface Cluster {
        /** The term this node leads, ready; -1 when it does not lead. */
        long leaderTerm();

        /** The committed alert cursor. */
        long deliveredThrough();

        /** Up to {@code max} committed events with seq above {@code seq}, in order. */
        List<Event> eventsAfter(long seq, int max);

        /** Proposes the cursor (AlertsDelivered); fire and forget: a lost proposal is made again. */
        void commitDelivered(long seq);
    }

    /** Delivers one event to one alert: true when it was taken (exit 0, HTTP 2xx). */
    public interface Sender {
        boolean send(AlertConfig alert, Event event) throws Exception;
    }

    private record Delivery(Event event, AlertConfig alert, int attempts, long notBeforeNanos) {
        Delivery retried(long now) {
            return new Delivery(event, alert, attempts + 1, now + (FIRST_RETRY_NANOS << Math.min(attempts, 10)));
        }
    }

    private final List<AlertConfig> alerts;
    private final Cluster cluster;
    private final Sender sender;
    private final LongSupplier nanos;
    private final Deque<Delivery> queue = new ArrayDeque<>();
    private long term = -1;
    /** The last event queued (or passed over: no alert wanted it). */
    private long queuedThrough;
    /** The cursor as this leader last proposed it. */
    private long committedThrough;
    private long lastCommitNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean closed;
    private Thread thread;

    public AlertDispatcher(List<AlertConfig> alerts, Cluster cluster, Sender sender, LongSupplier nanos) {
        this.alerts = List.copyOf(alerts);
        this.cluster = cluster;
        this.sender = sender;
        this.nanos = nanos;
    }

    /** Starts the delivery thread. */
    public void start() {
        thread = new Thread(this::run, "baton-alerts");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            long waitNanos;
            try {
                waitNanos = step(nanos.getAsLong());
            } catch (RuntimeException e) {
                log.warn("alerts: {}", e.toString());
                waitNanos = IDLE_NANOS;
            }
            lock.lock();
            try {
                if (!woken && waitNanos > 0) {
                    wake.awaitNanos(waitNanos);
                }
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One round: follows the leadership, queues new events, makes at most one delivery attempt and
     * commits the cursor when due. Returns how long to wait before the next round (0: at once).
     */
    long step(long now) {
        long leading = cluster.leaderTerm();
        if (leading < 0) {
            if (term >= 0) {
                queue.clear();
                term = -1;
            }
            return IDLE_NANOS;
        }
        if (leading != term) {
            term = leading;
            queue.clear();
            queuedThrough = cluster.deliveredThrough();
            committedThrough = queuedThrough;
            lastCommitNanos = now;
        }
        fill();
        long through = queue.isEmpty() ? queuedThrough : queue.peekFirst().event().getSeq() - 1;
        if (through > committedThrough && (queue.isEmpty() || now - lastCommitNanos >= COMMIT_EVERY_NANOS)) {
            cluster.commitDelivered(through);
            committedThrough = through;
            lastCommitNanos = now;
        }
        Delivery next = queue.peekFirst();
        if (next == null) {
            return IDLE_NANOS;
        }
        if (next.notBeforeNanos() > now) {
            return next.notBeforeNanos() - now;
        }
        queue.pollFirst();
        boolean taken;
        String why = null;
        try {
            taken = sender.send(next.alert(), next.event());
        } catch (Exception e) {
            taken = false;
            why = e.toString();
        }
        if (!taken) {
            if (next.attempts() + 1 >= ATTEMPTS) {
                log.warn("alerts: gave up delivering event {} ({} {}) to {} after {} attempts{}",
                        next.event().getSeq(), next.event().getKind(), next.event().getGroup(), next.alert().target(),
                        ATTEMPTS, why == null ? "" : ": " + why);
            } else {
                queue.addFirst(next.retried(now));
            }
        }
        return 0;
    }

    private void fill() {
        if (queue.size() >= QUEUE) {
            return;
        }
        for (Event e : cluster.eventsAfter(queuedThrough, QUEUE - queue.size())) {
            if (e.getSeq() > queuedThrough + 1) {
                log.warn("alerts: events {} to {} are older than the events the cluster keeps: not delivered",
                        queuedThrough + 1, e.getSeq() - 1);
            }
            for (AlertConfig a : alerts) {
                if (a.wants(e.getKind())) {
                    queue.addLast(new Delivery(e, a, 0, Long.MIN_VALUE));
                }
            }
            queuedThrough = e.getSeq();
            if (queue.size() >= QUEUE) {
                break;
            }
        }
    }

    @Override
    public void leaderReady() {
        wake();
    }

    /** For the event hub: each new event wakes the dispatcher. */
    public java.util.function.Consumer<Event> wakeOnEvent() {
        return e -> wake();
    }

    /** A new event was committed, or the leadership changed: look now rather than after the idle wait. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
