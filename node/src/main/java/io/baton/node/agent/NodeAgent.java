package io.baton.node.agent;

import io.baton.coordinator.agent.AgentRules;
import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.ratis.StateListener;
import io.baton.coordinator.time.MonotonicClock;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: makes this machine match the replicated state, level-based.
 *
 * <p>Three threads, each with one job:
 * <ul>
 *   <li><b>heartbeat</b>: every heartbeat interval (and at once when something changed) commits a
 *       heartbeat carrying this node's observations; its result renews the {@link OwnerLease}.</li>
 *   <li><b>reconcile</b>: for each group, compares what should be active ({@link AgentRules}) with
 *       what is, and takes the next idempotent step: activate in order, deactivate in reverse,
 *       roll back a failed start, report released.</li>
 *   <li><b>fence</b>: when the lease is about to end, closes every probe port at once, whatever
 *       the reconcile thread is doing (a start script may be running), then wakes it to stop
 *       the rest.</li>
 * </ul>
 */
public final class NodeAgent implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    private static final long FENCE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String nodeId;
    private final LocalState replica;
    private final HeartbeatSender heartbeats;
    private final List<GroupRuntime> groups;
    private final OwnerLease lease;
    private final MonotonicClock clock;
    private final LongSupplier wallClockMs;
    private final long heartbeatNanos;
    private final Duration heartbeatTimeout;
    private final long incarnation;
    private long seq;

    private final ReentrantLock lock = new ReentrantLock();
    private final Wakeup reconcileWanted = new Wakeup();
    private final Wakeup heartbeatWanted = new Wakeup();
    private String lastGrantView = "";
    /** Whether the fence step already fenced for the current lapse of the lease; fence thread only. */
    private boolean fenced;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param replica    this node's replica of the replicated state
     * @param heartbeats commits this node's heartbeats through Raft
     */
    public NodeAgent(String nodeId, LocalState replica, HeartbeatSender heartbeats, List<GroupRuntime> groups,
                     OwnerLease lease, MonotonicClock clock, LongSupplier wallClockMs, Duration heartbeatInterval,
                     Duration leaseDuration) {
        this.nodeId = nodeId;
        this.replica = replica;
        this.heartbeats = heartbeats;
        this.groups = List.copyOf(groups);
        this.lease = lease;
        this.clock = clock;
        this.wallClockMs = wallClockMs;
        this.heartbeatNanos = heartbeatInterval.toNanos();
        // Long enough for a leader election, short enough that a lost request does not hold back the
        // next heartbeat for most of the lease.
        this.heartbeatTimeout = Duration.ofNanos(Math.min(leaseDuration.toNanos() / 2,
                Math.max(4 * heartbeatInterval.toNanos(), Duration.ofSeconds(1).toNanos())));
        // Grows across restarts (wall clock at start), so a late heartbeat of a previous process is older.
        this.incarnation = wallClockMs.getAsLong();
    }

    public void start() {
        threads.add(daemon("baton-heartbeat", this::heartbeatLoop));
        threads.add(daemon("baton-reconcile", this::reconcileLoop));
        threads.add(daemon("baton-fence", this::fenceLoop));
        threads.forEach(Thread::start);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Whether this node's lease is live now (used by the HTTP probe mode and status). */
    public boolean leaseLive() {
        lock.lock();
        try {
            return lease.live(clock.nanos());
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code group} is active here under a live lease (the HTTP probe answers 200 only then). */
    public boolean activeUnderLease(String group) {
        return leaseLive() && groups.stream()
                .anyMatch(g -> g.group.equals(group) && g.activity == ActivityProto.ACTIVITY_ACTIVE);
    }

    // ---- wake-ups ----

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        String view = replica.read(this::grantView);
        boolean changed;
        lock.lock();
        try {
            changed = !view.equals(lastGrantView);
            lastGrantView = view;
        } finally {
            lock.unlock();
        }
        if (changed) {
            wakeReconcile();
            wakeHeartbeat();
        }
    }

    /** The owners, epochs and phases of this node's groups: a change here needs prompt action. */
    private String grantView(ClusterState s) {
        StringBuilder b = new StringBuilder();
        for (GroupRuntime g : groups) {
            s.group(g.group).ifPresent(gs -> b.append(gs.name()).append('=').append(gs.owner()).append('/')
                    .append(gs.epoch()).append('/').append(gs.phase()).append(';'));
        }
        return b.toString();
    }

    private void wakeReconcile() {
        reconcileWanted.signal();
    }

    private void wakeHeartbeat() {
        heartbeatWanted.signal();
    }

    /** A pending flag and its condition, both under the agent's lock: one per thread that can be woken. */
    private final class Wakeup {
        private final Condition condition = lock.newCondition();
        /** Starts set: each thread acts once at start. */
        private boolean pending = true;

        void signal() {
            lock.lock();
            try {
                pending = true;
                condition.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until signalled or {@code deadlineNanos} (clock time), then clears; false if interrupted. */
        boolean await(long deadlineNanos) {
            lock.lock();
            try {
                long wait;
                while (running && !pending && (wait = deadlineNanos - clock.nanos()) > 0) {
                    condition.awaitNanos(wait);
                }
                pending = false;
                return true;
            } catch (InterruptedException e) {
                return false;
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- heartbeat ----

    private void heartbeatLoop() {
        long next = clock.nanos();
        while (running) {
            if (!heartbeatWanted.await(next)) {
                return;
            }
            if (!running) {
                return;
            }
            next = clock.nanos() + heartbeatNanos;
            heartbeatOnce();
        }
    }

    /** Sends one heartbeat and waits for its result (at most the heartbeat timeout); the heartbeat thread's step. */
    void heartbeatOnce() {
        Heartbeat.Builder hb = Heartbeat.newBuilder().setNode(nodeId).setIncarnation(incarnation).setSeq(++seq);
        groups.forEach(g -> hb.addReports(g.report()));
        long sentAt = clock.nanos();
        try {
            CommandResult result = heartbeats.send(Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                    .setHeartbeat(hb).build(), heartbeatTimeout).join();
            if (result.getCode() == ResultCode.RESULT_OK) {
                lock.lock();
                try {
                    lease.confirmed(sentAt, result.getHeldList());
                } finally {
                    lock.unlock();
                }
                wakeReconcile();
            } else {
                log.warn("heartbeat refused: {}", result.getMessage());
            }
        } catch (RuntimeException e) {
            log.debug("heartbeat not committed: {}", e.toString());
        }
    }

    // ---- fencing ----

    private void fenceLoop() {
        while (running) {
            fenceOnce();
            try {
                TimeUnit.NANOSECONDS.sleep(FENCE_POLL_NANOS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The fence thread's step: once per lapse of the lease, closes every probe port at once and wakes
     * the reconcile thread to stop the rest.
     */
    void fenceOnce() {
        boolean live = leaseLive();
        if (!live && !fenced) {
            boolean anything = groups.stream().anyMatch(g -> g.activity == ActivityProto.ACTIVITY_ACTIVE
                    || g.activity == ActivityProto.ACTIVITY_STARTING);
            if (anything) {
                log.warn("lease ending without confirmation: fencing (probe ports closed first)");
            }
            groups.forEach(GroupRuntime::fence);
            wakeReconcile();
        }
        fenced = !live;
    }

    // ---- reconcile ----

    private void reconcileLoop() {
        while (running) {
            if (!reconcileWanted.await(clock.nanos() + TimeUnit.MILLISECONDS.toNanos(100))) {
                return;
            }
            if (!running) {
                return;
            }
            reconcileOnce();
        }
    }

    /** One reconcile pass over every group; the reconcile thread's step. */
    void reconcileOnce() {
        for (GroupRuntime g : groups) {
            try {
                reconcile(g);
            } catch (RuntimeException e) {
                log.error("reconcile of {} failed", g.group, e);
            }
        }
    }

    private GroupState localGroup(String group) {
        return replica.read(s -> s.groupCopy(group).orElse(null));
    }

    private boolean shouldBeActive(GroupRuntime g) {
        GroupState local = localGroup(g.group);
        lock.lock();
        try {
            return AgentRules.shouldBeActive(nodeId, local, lease,
                    new AgentRules.Memory(g.failedEpoch, g.releasedEpoch), clock.nanos());
        } finally {
            lock.unlock();
        }
    }

    private void reconcile(GroupRuntime g) {
        if (shouldBeActive(g)) {
            GroupState local = localGroup(g.group);
            if (local != null && (g.activity != ActivityProto.ACTIVITY_ACTIVE || g.epoch != local.epoch()
                    || !allActive(g))) {
                activate(g, local.epoch());
            }
            return;
        }
        if (needsStop(g)) {
            deactivate(g);
        }
        if (g.activity == ActivityProto.ACTIVITY_INACTIVE || (g.activity == ActivityProto.ACTIVITY_FAILED && !g.stopFailed)) {
            long releasable = AgentRules.releasable(nodeId, localGroup(g.group), false);
            if (releasable >= 0 && g.releasedEpoch != releasable) {
                g.epoch = releasable;
                g.releasedEpoch = releasable;
                log.info("{}: released epoch {}", g.group, releasable);
                wakeHeartbeat();
            }
        }
    }

    /** Anything that may still be up: after a daemon start, while up, after a failed stop (retried each second). */
    private boolean needsStop(GroupRuntime g) {
        if (g.stopFailed) {
            return clock.nanos() >= g.nextStopRetryNanos;
        }
        return g.unknown() || g.activity == ActivityProto.ACTIVITY_STARTING || g.activity == ActivityProto.ACTIVITY_ACTIVE
                || g.activity == ActivityProto.ACTIVITY_STOPPING || anyActive(g);
    }

    private static boolean allActive(GroupRuntime g) {
        return g.resources.stream().allMatch(r -> r.observe().status() == ResourceState.Status.ACTIVE);
    }

    private static boolean anyActive(GroupRuntime g) {
        return g.resources.stream().anyMatch(r -> r.observe().status() != ResourceState.Status.INACTIVE);
    }

    private void activate(GroupRuntime g, long epoch) {
        log.info("{}: activating for epoch {}", g.group, epoch);
        g.epoch = epoch;
        g.activity = ActivityProto.ACTIVITY_STARTING;
        g.message = "";
        wakeHeartbeat();
        ResourceContext ctx = new ResourceContext(g.group, nodeId, epoch);
        List<Resource> started = new ArrayList<>();
        for (Resource r : g.resources) {
            if (!shouldBeActive(g)) {
                log.warn("{}: grant or lease lost while activating; rolling back", g.group);
                rollback(g, ctx, started);
                g.activity = ActivityProto.ACTIVITY_INACTIVE;
                return;
            }
            try {
                r.start(ctx);
                started.add(r);
            } catch (ResourceException e) {
                log.warn("{}: {} failed to start: {}", g.group, r.name(), e.getMessage());
                // A failed start may leave the resource partly up, on top of those started before it:
                // it is the last one started, so it goes down first.
                started.add(r);
                List<String> stuck = rollback(g, ctx, started);
                g.failedEpoch = epoch;
                g.message = r.name() + ": " + e.getMessage();
                if (stuck.isEmpty()) {
                    g.activity = ActivityProto.ACTIVITY_FAILED;
                } else {
                    // Not "failed" yet: that tells the controller nothing is up here. Retry the stop first.
                    stopFailed(g, stuck);
                    g.message = r.name() + ": " + e.getMessage() + "; " + g.message;
                }
                wakeHeartbeat();
                return;
            }
        }
        if (!shouldBeActive(g)) {
            // The lease may have ended while the last resource started (the fence thread fences only
            // once per lapse): never leave it up.
            log.warn("{}: grant or lease lost while activating; rolling back", g.group);
            rollback(g, ctx, started);
            g.activity = ActivityProto.ACTIVITY_INACTIVE;
            return;
        }
        g.activity = ActivityProto.ACTIVITY_ACTIVE;
        log.info("{}: active for epoch {}", g.group, epoch);
        wakeHeartbeat();
    }

    /** Stops what started, in reverse; returns the failures ("name: reason"). */
    private List<String> rollback(GroupRuntime g, ResourceContext ctx, List<Resource> started) {
        List<String> failures = new ArrayList<>();
        for (int i = started.size() - 1; i >= 0; i--) {
            Resource r = started.get(i);
            r.quiesce();
            try {
                r.stop(ctx);
            } catch (ResourceException e) {
                log.warn("{}: stop failed: {}", r.name(), e.getMessage());
                failures.add(r.name() + ": " + e.getMessage());
            }
        }
        return failures;
    }

    /**
     * Something may still be up: reported as STOPPING (never FAILED, which would let the controller
     * start the group elsewhere, nor released), retried no more than once a second.
     */
    private void stopFailed(GroupRuntime g, List<String> failures) {
        g.activity = ActivityProto.ACTIVITY_STOPPING;
        g.stopFailed = true;
        g.nextStopRetryNanos = clock.nanos() + TimeUnit.SECONDS.toNanos(1);
        g.message = "stop failed: " + String.join("; ", failures);
        log.error("{}: {}", g.group, g.message);
    }

    private void deactivate(GroupRuntime g) {
        boolean wasUp = g.activity == ActivityProto.ACTIVITY_ACTIVE || g.activity == ActivityProto.ACTIVITY_STARTING;
        if (wasUp) {
            log.info("{}: deactivating epoch {}", g.group, g.epoch);
            g.activity = ActivityProto.ACTIVITY_STOPPING;
            wakeHeartbeat();
        }
        g.quiesce();
        ResourceContext ctx = new ResourceContext(g.group, nodeId, g.epoch);
        List<String> failures = new ArrayList<>();
        for (int i = g.resources.size() - 1; i >= 0; i--) {
            Resource r = g.resources.get(i);
            try {
                r.stop(ctx);
            } catch (ResourceException e) {
                failures.add(r.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            stopFailed(g, failures);
            wakeHeartbeat();
            return;
        }
        boolean wasStuck = g.stopFailed;
        g.stopFailed = false;
        // FAILED only for a failed start of this epoch, which the controller must hear of once nothing
        // is up; otherwise inactive. A stale "failed" would fail the group here if this node is still
        // the owner when its heartbeats commit again.
        if (g.failedEpoch == g.epoch && (g.activity == ActivityProto.ACTIVITY_FAILED || wasStuck)) {
            g.activity = ActivityProto.ACTIVITY_FAILED;
            if (wasStuck) {
                wakeHeartbeat();
            }
        } else {
            g.activity = ActivityProto.ACTIVITY_INACTIVE;
            g.message = "";
        }
        if (wasUp) {
            log.info("{}: inactive", g.group);
            wakeHeartbeat();
        }
    }

    @Override
    public void close() {
        running = false;
        wakeHeartbeat();
        wakeReconcile();
        threads.forEach(Thread::interrupt);
        // Wait (bounded) so that stopAll() does not race a reconcile pass still starting things; an
        // interrupted script is killed with its process group.
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops every group's resources, probe ports first; used on a clean daemon shutdown. */
    public void stopAll() {
        for (GroupRuntime g : groups) {
            g.quiesce();
            deactivate(g);
        }
    }
}
