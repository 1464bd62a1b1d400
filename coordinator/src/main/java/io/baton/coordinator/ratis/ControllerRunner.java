package io.baton.coordinator.ratis;

import io.baton.coordinator.core.BehindFollowers;
import io.baton.coordinator.core.Controller;
import io.baton.coordinator.core.ControllerRound;
import io.baton.coordinator.core.DecisionSchedule;
import io.baton.coordinator.core.FailbackWatch;
import io.baton.coordinator.core.LeaseConfirmations;
import io.baton.coordinator.core.Liveness;
import io.baton.coordinator.time.MonotonicClock;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pure {@link Controller} while this server is the ready Raft leader: it keeps the leader's
 * own record of when each node was last heard (on the monotonic clock, when the leader applies the
 * node's heartbeat or answers it as a read, {@link LeaseConfirmations}), asks the controller what to
 * do, and proposes the answer. One proposal per subject is in flight at a time; a decision that lost a
 * race is refused as stale when applied, which is harmless.
 *
 * <p>It decides when something it decides on changed, not on a fixed tick: when an entry is applied, a
 * node is heard again after a lapse, or a proposal is answered (at most once per minimum gap, so that a
 * burst is one round), and otherwise at the instant the controller names as the next at which its answer
 * could change ({@link Controller#nextDecisionAt}: a lease running out), at most a second apart
 * ({@link DecisionSchedule}). An idle leader decides about once a second instead of twenty times, and
 * a takeover is decided the moment the owner's lease allows, not up to a tick later.
 */
public final class ControllerRunner implements StateListener, BatonStateMachine.ReadConfirmer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerRunner.class);

    private final RaftNode raft;
    private final Controller controller;
    private final MonotonicClock clock;
    private final LongSupplier wallClockMs;
    private final ScheduledExecutorService executor;
    private final LeaseConfirmations confirmations = new LeaseConfirmations();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Touched only by the controller thread. */
    private long leaderTerm = -1;
    private long leaderSince;
    /** The controller's failback memory, from one decision to the next; a new leadership starts afresh. */
    private FailbackWatch failback = FailbackWatch.NONE;
    /** The followers this leadership has seen behind, and since when (Controller.replicationToRepair). */
    private BehindFollowers behind = BehindFollowers.NONE;
    /** Hand-overs are tried at most this often: a failed one (witness behind) is retried later. */
    private static final long TRANSFER_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private long lastTransferNanos = Long.MIN_VALUE / 2;
    /**
     * How long a hand-over may take. While it is pending the leader refuses every write, heartbeats
     * included, so it must stay well inside lease − stop budget; a hand-over to a follower in step
     * takes about one round trip and an election.
     */
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(1);
    /** When this node last gave up its leadership to repair a follower's replication (Controller.replicationToRepair). */
    private long lastRepairNanos = Long.MIN_VALUE / 2;

    public ControllerRunner(RaftNode raft, Controller controller, MonotonicClock clock, LongSupplier wallClockMs,
                            Duration minGap) {
        this.raft = raft;
        this.controller = controller;
        this.clock = clock;
        this.wallClockMs = wallClockMs;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-controller");
            t.setDaemon(true);
            return t;
        });
        raft.stateMachine().setReadConfirmer(this);
        this.schedule = new DecisionSchedule(TimeUnit.MILLISECONDS.toNanos(Math.max(5, minGap.toMillis())));
        executor.execute(this::tickAndReschedule);
    }

    /** When to decide next (the gap: a burst of applied entries, 200 groups reporting, is one round). */
    private final DecisionSchedule schedule;
    /**
     * Between two ticks while it does not: a follower has nothing to decide, and the leadership hook
     * ({@link #leaderReady}) starts ticking at once. This is only the fallback if a hook comes late.
     */
    static final long IDLE_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The next tick and when it is due; touched only on the controller thread. */
    private ScheduledFuture<?> nextTick;
    private long nextTickAt;
    /** When the last tick began; touched only on the controller thread. */
    private long lastTickAt = Long.MIN_VALUE / 2;
    /** A wake is on its way to the controller thread: later ones need not queue another. */
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** How many times the controller decided (or looked whether to), for tests. */
    private final AtomicLong ticks = new AtomicLong();

    private void tickAndReschedule() {
        if (nextTick != null) {
            nextTick.cancel(false);
            nextTick = null;
        }
        // Cleared before the state is read, so that an input changing during the tick wakes the next one.
        wakeQueued.set(false);
        long now = clock.nanos();
        lastTickAt = now;
        ticks.incrementAndGet();
        long next = tick(now);
        if (!closed) {
            scheduleAt(leaderTerm != -1 ? schedule.afterDecision(now, next) : now + IDLE_TICK_NANOS, now);
        }
    }

    /** Schedules the next tick for {@code at}, unless one is due sooner; on the controller thread. */
    private void scheduleAt(long at, long now) {
        if (nextTick != null && !nextTick.isDone() && nextTickAt <= at) {
            return;
        }
        if (nextTick != null) {
            nextTick.cancel(false);
        }
        try {
            nextTickAt = at;
            nextTick = executor.schedule(this::tickAndReschedule, Math.max(0, at - now), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * An input of the decision changed (an entry applied, a node heard again after a lapse, a proposal
     * answered): decide again as soon as the minimum gap since the last decision allows.
     */
    void wake() {
        if (closed || !wakeQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                if (wakeQueued.get()) {
                    long now = clock.nanos();
                    scheduleAt(schedule.afterInput(now, lastTickAt), now);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** How many times this controller has decided (or looked whether to): for tests. */
    long ticks() {
        return ticks.get();
    }

    @Override
    public void leaderReady() {
        try {
            executor.execute(this::tickAndReschedule);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        // Only a ready leader's applies say "heard now": a follower, or a server replaying its log at
        // start, applies heartbeats long after they were sent, and would count dead nodes as alive.
        if (!raft.isLeaderReady()) {
            return;
        }
        if (command.hasHeartbeat() && result.getCode() == ResultCode.RESULT_OK) {
            confirmations.heard(command.getHeartbeat().getNode(), clock.nanos());
        }
        // Any entry may change a decision: a report, a grant, a node's liveness, an operator's command.
        wake();
    }

    /** A heartbeat read: confirmed only by the ready leader, and not once it decided the node's lease is over. */
    @Override
    public boolean confirmed(String node, long incarnation, long seq) {
        if (closed || !raft.isLeaderReady() || !raft.leadsAFreshMajority()) {
            return false;
        }
        long now = clock.nanos();
        OptionalLong before = confirmations.lastHeard(node);
        if (!confirmations.confirmRead(node, incarnation, seq, now)) {
            return false;
        }
        if (controller.confirmationMatters(before, now)) {
            wake(); // heard again after a lapse: it may be eligible again
        }
        return true;
    }

    /**
     * Whether to run now, and since when this leadership counts. The leadership hooks of Ratis arrive on
     * different threads and a late "not leader" of an earlier term can follow the "ready" of the next,
     * so the controller asks the server itself on every tick. A leadership first seen on this tick
     * counts every node as confirmed now (it knows nothing older; later than the real start is only
     * more cautious): it waits a full lease before taking a group from any owner.
     */
    private boolean leading(long now) {
        if (closed || !raft.isLeaderReady()) {
            if (leaderTerm != -1) {
                log.info("no longer leader: controller paused");
                leaderTerm = -1;
            }
            return false;
        }
        long term = raft.currentTerm();
        if (term != leaderTerm) {
            leaderTerm = term;
            // A deposed leader may confirm heartbeat reads for up to readFreshness after this one's
            // election (RaftNode.readFreshness): count every node as confirmed that much later.
            leaderSince = now + raft.readFreshness().toNanos();
            failback = FailbackWatch.NONE;
            behind = BehindFollowers.NONE;
            log.info("leader ready in term {}: controller running", term);
        }
        return true;
    }

    /** Decides once if this server leads; returns when to decide next with no input changing (leading or not). */
    private long tick(long now) {
        try {
            if (!leading(now)) {
                return Long.MAX_VALUE;
            }
            var state = raft.stateMachine().copyState();
            Liveness liveness = confirmations.liveness(leaderSince);
            Controller.Decision decision = controller.decide(state, liveness, failback, now);
            failback = decision.failback();
            proposeRound(confirmations.admit(state, decision.commands(), liveness));
            behind = behind.seen(state, now);
            Optional<Controller.Repair> repair = controller.replicationToRepair(state, raft.selfId(), liveness, behind,
                    lastRepairNanos, now);
            if (repair.isPresent()) {
                lastRepairNanos = now;
                lastTransferNanos = now;
                repair(repair.get());
            } else if (now - lastTransferNanos >= TRANSFER_RETRY_NANOS && now - leaderSince >= controller.timing().leaseNanos()) {
                // Only to a witness in step with this leader: see RaftContacts.inStep. And only once this
                // leadership has lasted a lease: the election that made it may have held back the owners'
                // confirmations, and a hand-over is another election, during which the leader refuses every
                // write. Right after the first it could carry an owner past its fence point (NemesisIT: a
                // hand-over 0.3 s after an election, then 2.4 s without a leader, and the owner fenced).
                // A lease later every owner has renewed under this leader.
                controller.leaderToPrefer(state, raft.selfId(), liveness, now)
                        .filter(raft::followerInStep).ifPresent(this::handOver);
            }
            long next = controller.nextDecisionAt(state, liveness, failback, now);
            // This runner's own waits: the next repair, a follower behind long enough for one, and the
            // next hand-over may be due before it.
            List<Long> own = new ArrayList<>(List.of(lastRepairNanos + Controller.REPAIR_EVERY_NANOS,
                    lastTransferNanos + TRANSFER_RETRY_NANOS));
            behind.sinceNanos().values().forEach(since -> own.add(since + Controller.REPAIR_EVERY_NANOS));
            for (long at : own) {
                if (at > now && at < next) {
                    next = at;
                }
            }
            return next;
        } catch (RuntimeException e) {
            log.warn("controller tick failed", e);
            return now + schedule.minGapNanos();
        }
    }

    /** Gives the leadership up so that a follower's replication restarts with new log appenders. */
    private void repair(Controller.Repair repair) {
        if (repair.handTo().isPresent()) {
            String to = repair.handTo().get();
            log.warn("a follower's replica stays behind under this leader: handing the leadership to {}"
                    + " so that a new leader replicates to it afresh", to);
            raft.transferLeadership(to, TRANSFER_TIMEOUT).whenComplete((ok, error) -> {
                if (error != null) {
                    log.info("leadership not handed to {}: {}", to, error.toString());
                }
            });
        } else {
            log.warn("a follower's replica stays behind under this leader: stepping down so that the next leader"
                    + " replicates to it afresh");
            raft.stepDown(TRANSFER_TIMEOUT).whenComplete((ok, error) -> {
                if (error != null) {
                    log.info("leadership not stepped down: {}", error.toString());
                }
            });
        }
    }

    private void handOver(String witness) {
        lastTransferNanos = clock.nanos();
        log.info("this leader is a data node: handing the leadership to {}", witness);
        raft.transferLeadership(witness, TRANSFER_TIMEOUT).whenComplete((ok, error) -> {
            if (error != null) {
                log.info("leadership not handed to {}: {}", witness, error.toString());
            }
        });
    }

    /**
     * Proposes one round's decisions, those whose subject has none in flight: the ones that may share
     * an entry (ControllerRound) as one, so that a takeover of many groups is one entry.
     */
    private void proposeRound(List<Command> decisions) {
        List<Command> fresh = new ArrayList<>();
        for (Command d : decisions) {
            if (inFlight.add(ControllerRound.subject(d))) {
                fresh.add(d);
            }
        }
        for (Command entry : ControllerRound.entries(fresh)) {
            Command stamped = entry.toBuilder().setWallTimeMs(wallClockMs.getAsLong()).build();
            List<String> subjects = ControllerRound.decisionsOf(entry).stream().map(ControllerRound::subject).toList();
            raft.submit(stamped, Duration.ofSeconds(5)).whenComplete((result, error) -> {
                subjects.forEach(inFlight::remove);
                // Its entry woke the controller when applied, but the subjects were still in flight then.
                wake();
                if (error != null) {
                    log.debug("controller proposal {} not committed: {}", subjects, error.toString());
                    return;
                }
                List<CommandResult> results = ControllerRound.resultsOf(entry, result);
                for (int i = 0; i < results.size() && i < subjects.size(); i++) {
                    CommandResult r = results.get(i);
                    if (r.getCode() == ResultCode.RESULT_PERMISSION_DENIED && !raft.isLeaderReady()) {
                        // Decided while this node led, appended by the next leader: refused as not the leader's
                        // decision (CommandAuthority), like a stale one; the new leader decides afresh.
                        log.debug("controller proposal {} refused after the leadership moved: {}", subjects.get(i), r.getMessage());
                    } else if (r.getCode() != ResultCode.RESULT_OK && r.getCode() != ResultCode.RESULT_STALE) {
                        log.warn("controller proposal {} refused: {}", subjects.get(i), r.getMessage());
                    }
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
