package io.baton.node.agent;

import io.baton.coordinator.agent.AgentPlan;
import io.baton.coordinator.agent.GroupMemory;
import io.baton.coordinator.agent.HeartbeatChoice;
import io.baton.coordinator.agent.Observed;
import io.baton.coordinator.agent.PlanInput;
import io.baton.coordinator.agent.Step;
import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.ratis.StateListener;
import io.baton.coordinator.time.MonotonicClock;
import io.baton.node.security.CertificateExpiry;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Heartbeat;
import io.baton.proto.Incarnate;
import io.baton.proto.ResultCode;
import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.monitor.CheckResult;
import io.baton.resources.probeport.ProbePortResource;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: makes this machine match the replicated state, level-based.
 *
 * <p>Every decision is the pure {@link AgentPlan}'s (shared with the simulation); the threads here
 * only execute its steps and feed it observations:
 * <ul>
 *   <li><b>heartbeat</b>: first asks the core for this process's incarnation (Incarnate), then every
 *       heartbeat interval (and at once when a report changed) commits a heartbeat carrying this
 *       node's observations; its result renews the {@link OwnerLease}.</li>
 *   <li><b>reconcile</b>: for each group, asks the plan for the next step (start or stop one
 *       resource) and runs it, until the plan is idle.</li>
 *   <li><b>fence</b>: when the lease is about to end, closes every probe port at once, whatever
 *       the reconcile thread is doing (a start script may be running), then wakes it to stop
 *       the rest. Fencing never waits for the plan or a monitor.</li>
 *   <li><b>monitors</b> (a small pool): each monitored resource's check, every interval, only while
 *       the plan says so (the group active here, not in maintenance); results go to the plan.</li>
 * </ul>
 */
public final class NodeAgent implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    /**
     * The fence thread sleeps until the lease's fence point and checks again then; while the lease is
     * not live it checks at least this often (a confirmation also wakes it at once).
     */
    private static final long FENCE_IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A pass runs at most this many steps per group (a group has a handful of resources). */
    private static final int MAX_STEPS_PER_PASS = 64;

    private final String nodeId;
    private volatile Supplier<CertificateExpiry> certificates = () -> CertificateExpiry.NONE;
    private volatile String configHash = "";
    /** The applied configuration version this node runs its groups by (0: its cluster file's). */
    private volatile long configVersion;
    private final LocalState replica;
    private final HeartbeatSender heartbeats;
    /**
     * The groups this node is a member of: immutable lists, replaced together with {@link #lanes} under
     * the lock when a group is added ({@link #addGroup}); a reader that needs both reads them under it.
     */
    private volatile List<GroupRuntime> groups;
    private final OwnerLease lease;
    private final MonotonicClock clock;
    private final LongSupplier wallClockMs;
    private final long heartbeatNanos;
    private final Duration heartbeatTimeout;
    /** Drawn once per process: a retried Incarnate with it gets the same incarnation back. */
    private final long boot;
    /** Assigned by the core (Incarnate) before the first heartbeat; 0 until then. Heartbeat thread only. */
    private long incarnation;
    private long seq;
    /** The last refusal of a heartbeat, logged once rather than every interval. Heartbeat thread only. */
    private String lastRefusal = "";
    /** What the last committed heartbeat said (null: none yet), and when it was sent. Heartbeat thread only. */
    private Heartbeat lastWritten;
    private long lastWrittenNanos;
    /** The last read failed: the next heartbeat goes through the log. Heartbeat thread only. */
    private boolean writeNext;
    /**
     * A heartbeat whose reports differ from the last committed one only in the resources' human detail
     * (a probe port's count of health checks) is still read, but committed at least this often, so that
     * status shows the detail at most this old.
     */
    static final long DETAIL_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ReentrantLock lock = new ReentrantLock();
    private final Wakeup reconcileWanted = new Wakeup();
    private final Wakeup heartbeatWanted = new Wakeup();
    private String lastGrantView = "";
    /** Whether the fence step already fenced for the current lapse of the lease; fence thread only. */
    private boolean fenced;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();
    /** Runs the monitors' checks: one loop per monitored resource, each waiting at most its timeout. */
    private final ScheduledThreadPoolExecutor monitorPool;
    /** One per group, in the order of {@link #groups}. */
    private volatile List<Lane> lanes;
    /** Runs groups' reconcile passes, {@link #RECONCILE_WORKERS} at most at once; idle threads end. */
    private final ThreadPoolExecutor workers;

    /**
     * @param replica    this node's replica of the replicated state
     * @param heartbeats commits this node's heartbeats through Raft
     */
    /**
     * Where the heartbeats read when this node's TLS certificates expire (they are re-read on renewal,
     * so a renewed certificate shows in status within a heartbeat); none without TLS.
     */
    public void reportCertificates(Supplier<CertificateExpiry> current) {
        this.certificates = current;
    }

    /** The hash of the cluster file this node loaded, for its heartbeats ({@code ConfigFingerprint}). */
    public void reportConfigHash(String hash) {
        if (!hash.equals(configHash)) {
            this.configHash = hash;
            wakeHeartbeat();
        }
    }

    /**
     * The applied configuration version this node now runs its groups by ({@code ConfigFollower}, once
     * every runtime is rebuilt): its heartbeat says so at once, and the cluster may grant it groups again.
     */
    public void reportConfigVersion(long version) {
        if (version != configVersion) {
            this.configVersion = version;
            wakeHeartbeat();
        }
    }

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
        this.boot = newBoot();
        int monitored = monitoredCount(this.groups);
        AtomicInteger monitorThreads = new AtomicInteger();
        this.lanes = groups.stream().map(g -> new Lane()).toList();
        AtomicInteger workerThreads = new AtomicInteger();
        int workerCount = Math.max(1, Math.min(RECONCILE_WORKERS, groups.size()));
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "baton-reconcile-" + workerThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.workers.allowCoreThreadTimeOut(true);
        this.monitorPool = new ScheduledThreadPoolExecutor(Math.max(1, monitored), r -> {
            Thread t = new Thread(r, "baton-monitor-" + monitorThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A random, non-zero boot id: two processes of one node never share one (the wall clock could repeat). */
    private static long newBoot() {
        SecureRandom random = new SecureRandom();
        long b;
        do {
            b = random.nextLong();
        } while (b == 0);
        return b;
    }

    /** Whether this node has a runtime for {@code group}. */
    public boolean hasGroup(String group) {
        return groups.stream().anyMatch(g -> g.group.equals(group));
    }

    /**
     * Adds a group this node has become a member of (an operator's membership change,
     * docs/membership.md): from now on it reconciles, reports, is monitored and fences like the
     * others; its first pass stops whatever of it may run here, as at start. False, changing nothing,
     * if the node has that group already.
     */
    public boolean addGroup(GroupRuntime g) {
        lock.lock();
        try {
            if (hasGroup(g.group)) {
                return false;
            }
            List<GroupRuntime> more = new ArrayList<>(groups);
            more.add(g);
            List<Lane> moreLanes = new ArrayList<>(lanes);
            moreLanes.add(new Lane());
            groups = List.copyOf(more);
            lanes = List.copyOf(moreLanes);
            growPools(more);
        } finally {
            lock.unlock();
        }
        runNew(g, "this node is a member now: reconciling it");
        return true;
    }

    /** After {@code g} joined the groups: its monitors start (once the agent has), and it is reconciled and reported. */
    private void runNew(GroupRuntime g, String why) {
        if (started) {
            try {
                startMonitors(g);
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
        log.info("{}: {}", g.group, why);
        wakeReconcile();
        wakeHeartbeat();
    }

    /**
     * Replaces the runtime of a group this node has with {@code g}, built from an applied configuration
     * whose resources for it changed ({@code batonctl config apply}). Only while nothing of the group
     * runs here (its plan has stopped it, no pass is under way): false, changing nothing, otherwise, or
     * if the node does not have the group. Its first pass stops it again, by the new definitions.
     */
    public boolean replaceGroup(GroupRuntime g) {
        GroupRuntime old;
        lock.lock();
        try {
            int i = indexOf(g.group);
            if (i < 0 || !idle(i)) {
                return false;
            }
            old = groups.get(i);
            List<GroupRuntime> next = new ArrayList<>(groups);
            next.set(i, g);
            groups = List.copyOf(next);
            old.retired = true;
            lanes.get(i).wanted = true;
            growPools(next);
        } finally {
            lock.unlock();
        }
        runNew(g, "its resources changed: running it by the applied configuration");
        return true;
    }

    /**
     * Drops a group this node no longer has (removed from the configuration, or this node from its
     * members), on the same terms as {@link #replaceGroup}: false, changing nothing, while it runs here.
     * True if the node does not have it (any more).
     */
    public boolean removeGroup(String group) {
        lock.lock();
        try {
            int i = indexOf(group);
            if (i < 0) {
                return true;
            }
            if (!idle(i)) {
                return false;
            }
            List<GroupRuntime> next = new ArrayList<>(groups);
            List<Lane> nextLanes = new ArrayList<>(lanes);
            next.remove(i).retired = true;
            nextLanes.remove(i);
            groups = List.copyOf(next);
            lanes = List.copyOf(nextLanes);
        } finally {
            lock.unlock();
        }
        log.info("{}: no longer run by this node", group);
        wakeHeartbeat();
        return true;
    }

    /**
     * Gives a running group the monitors and policy of {@code g} (an applied configuration changed only
     * those): no resource is stopped or started; each monitor's next check runs by its new settings.
     * False if the node does not have the group.
     *
     * @throws IllegalArgumentException if {@code g} has other resources, or other resources monitored
     */
    public boolean retune(GroupRuntime g) {
        lock.lock();
        try {
            int i = indexOf(g.group);
            if (i < 0) {
                return false;
            }
            GroupRuntime current = groups.get(i);
            current.retune(g);
            // A check loop reads its monitor at every tick; a new check gets ready as at start.
            current.monitors.stream().filter(java.util.Objects::nonNull).forEach(m -> m.check().prepare(m.timeout()));
            growPools(groups);
        } finally {
            lock.unlock();
        }
        log.info("{}: monitors and policy changed by the applied configuration", g.group);
        wakeReconcile();
        return true;
    }

    /** Under the lock: where {@code group} is in {@link #groups}, or -1. */
    private int indexOf(String group) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).group.equals(group)) {
                return i;
            }
        }
        return -1;
    }

    /** Under the lock: nothing of group {@code i} runs here and no pass of it is under way. */
    private boolean idle(int i) {
        ActivityProto a = groups.get(i).memory.activity();
        // FAILED is reported only once nothing of the group is up (AgentPlan).
        return !lanes.get(i).running
                && (a == null || a == ActivityProto.ACTIVITY_INACTIVE || a == ActivityProto.ACTIVITY_FAILED);
    }

    /** Under the lock: enough reconcile workers and monitor threads for {@code all}. */
    private void growPools(List<GroupRuntime> all) {
        int workerCount = Math.max(1, Math.min(RECONCILE_WORKERS, all.size()));
        if (workerCount > workers.getMaximumPoolSize()) {
            workers.setMaximumPoolSize(workerCount);
            workers.setCorePoolSize(workerCount);
        }
        int monitored = monitoredCount(all);
        if (monitored > monitorPool.getCorePoolSize()) {
            monitorPool.setCorePoolSize(monitored);
        }
    }

    private static int monitoredCount(List<GroupRuntime> groups) {
        return (int) groups.stream().flatMap(g -> g.monitors.stream()).filter(java.util.Objects::nonNull).count();
    }

    /** Set once {@link #start} has started the monitors; later groups start theirs when added. */
    private volatile boolean started;

    public void start() {
        threads.add(daemon("baton-heartbeat", this::heartbeatLoop));
        threads.add(daemon("baton-reconcile", this::reconcileLoop));
        threads.add(daemon("baton-fence", this::fenceLoop));
        threads.forEach(Thread::start);
        lock.lock();
        try {
            started = true;
            groups.forEach(this::startMonitors);
        } finally {
            lock.unlock();
        }
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

    /** For each group this node holds under a live lease, how long the lease has left (metrics). */
    public Map<String, Long> leaseRemainingNanos() {
        lock.lock();
        try {
            long now = clock.nanos();
            Map<String, Long> out = new TreeMap<>();
            for (GroupRuntime g : groups) {
                lease.remainingNanos(g.group, now).ifPresent(n -> out.put(g.group, n));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** For each group with a probe port here, how many health checks it has accepted since start. */
    public Map<String, Long> probeChecks() {
        Map<String, Long> out = new TreeMap<>();
        for (GroupRuntime g : groups) {
            for (var r : g.resources) {
                if (r instanceof io.baton.resources.probeport.ProbePortResource p) {
                    out.merge(g.group, p.probesSeen(), Long::sum);
                }
            }
        }
        return out;
    }

    /** Whether {@code group} is active here under a live lease (the HTTP probe answers 200 only then). */
    public boolean activeUnderLease(String group) {
        if (!leaseLive()) {
            return false;
        }
        lock.lock();
        try {
            return groups.stream().anyMatch(g -> g.group.equals(group)
                    && g.memory.activity() == ActivityProto.ACTIVITY_ACTIVE);
        } finally {
            lock.unlock();
        }
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

    /** Every group looks again at once (a grant, the lease, a verdict changed). */
    private void wakeReconcile() {
        lock.lock();
        try {
            everyGroupWanted = true;
        } finally {
            lock.unlock();
        }
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

    /**
     * Sends one heartbeat and waits for its result (at most the heartbeat timeout); the heartbeat thread's step.
     * The process's first step asks for its incarnation, and no heartbeat goes out until it has one.
     */
    void heartbeatOnce() {
        if (incarnation == 0 && !incarnate()) {
            return;
        }
        CertificateExpiry expiry = certificates.get();
        Heartbeat.Builder hb = Heartbeat.newBuilder().setNode(nodeId).setIncarnation(incarnation).setSeq(++seq)
                .setAppliedIndex(replica.appliedIndex()).setCertificateNotAfterMs(expiry.certificateNotAfterMs())
                .setCaNotAfterMs(expiry.caNotAfterMs()).setConfigHash(configHash).setConfigVersion(configVersion)
                .setProtocolVersion(io.baton.coordinator.core.Protocol.THIS_BUILD);
        List<GroupRuntime> reported = groups;
        List<Boolean> maintenance = reported.stream().map(g -> maintenance(g.group)).toList();
        lock.lock();
        try {
            for (int i = 0; i < reported.size(); i++) {
                hb.addReports(reported.get(i).report(maintenance.get(i)));
            }
        } finally {
            lock.unlock();
        }
        long sentAt = clock.nanos();
        Heartbeat beat = hb.build();
        Command command = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong()).setHeartbeat(beat).build();
        try {
            CommandResult result;
            if (HeartbeatChoice.read(lastWritten, beat, sentAt - lastWrittenNanos, DETAIL_REFRESH_NANOS) && !writeNext) {
                try {
                    result = heartbeats.confirm(command, heartbeatTimeout).join();
                } catch (RuntimeException e) {
                    writeNext = true;
                    throw e;
                }
                if (result.getCode() == ResultCode.RESULT_WRITE_NEEDED) {
                    log.debug("heartbeat read not confirmed ({}): committing it", result.getMessage());
                    result = write(command, sentAt);
                }
            } else {
                result = write(command, sentAt);
            }
            if (result.getCode() == ResultCode.RESULT_OK) {
                boolean news;
                lock.lock();
                try {
                    // The reconcile thread acts on what the lease holds: wake it when that changed (a
                    // grant, or a lease that was over), not for every confirmation of the same.
                    long now = clock.nanos();
                    boolean wasLive = lease.live(now);
                    var heldBefore = lease.heldGrants();
                    lease.confirmed(sentAt, result.getHeldList());
                    news = !wasLive || !heldBefore.equals(lease.heldGrants()) || !lease.live(now);
                } finally {
                    lock.unlock();
                }
                lastRefusal = "";
                if (news) {
                    wakeReconcile();
                    wakeFence();
                }
            } else if (!result.getMessage().equals(lastRefusal)) {
                // STALE: another process took this node's incarnation since (two daemons with one node id,
                // or a forged Incarnate). Asking again would let both confirm leases: this one fences instead.
                lastRefusal = result.getMessage();
                log.warn("heartbeat refused: {}", result.getMessage());
            }
        } catch (RuntimeException e) {
            log.debug("heartbeat not committed: {}", e.toString());
        }
    }

    /** Commits {@code heartbeat}; once it is, reads may confirm the next ones that say the same. */
    private CommandResult write(Command heartbeat, long sentAt) {
        CommandResult result = heartbeats.send(heartbeat, heartbeatTimeout).join();
        writeNext = false;
        if (result.getCode() == ResultCode.RESULT_OK) {
            lastWritten = heartbeat.getHeartbeat();
            lastWrittenNanos = sentAt;
        }
        return result;
    }

    /**
     * Asks the core for this process's incarnation (a counter in the replicated state, so it does not
     * depend on this machine's clock being right); true once it has one. Without a quorum it has none,
     * and the next heartbeat step asks again with the same boot id.
     */
    private boolean incarnate() {
        Command ask = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                .setIncarnate(Incarnate.newBuilder().setNode(nodeId).setBoot(boot)).build();
        try {
            CommandResult result = heartbeats.send(ask, heartbeatTimeout).join();
            if (result.getCode() == ResultCode.RESULT_OK && result.getIncarnation() > 0) {
                incarnation = result.getIncarnation();
                log.info("this process of node {} is incarnation {}", nodeId, incarnation);
                return true;
            }
            log.warn("incarnation refused: {}", result.getMessage());
        } catch (RuntimeException e) {
            log.debug("incarnation not committed: {}", e.toString());
        }
        return false;
    }

    // ---- fencing ----

    /**
     * Event-driven, not polling: after each check it sleeps until the fence point of the lease as it
     * stands (a later confirmation only moves that point on, so waking at the earlier one is early,
     * never late), or, while the lease is not live, until a confirmation wakes it.
     */
    private void fenceLoop() {
        while (running) {
            fenceOnce();
            long now = clock.nanos();
            long wakeAt;
            lock.lock();
            try {
                wakeAt = lease.live(now) ? lease.fenceAtNanos() : now + FENCE_IDLE_CHECK_NANOS;
            } finally {
                lock.unlock();
            }
            if (!awaitFenceCheck(wakeAt)) {
                return;
            }
        }
    }

    private final Object fenceSignal = new Object();
    /** Set by {@link #wakeFence}; under {@link #fenceSignal}, never the agent's lock, so nothing holds the fence back. */
    private boolean fenceCheckWanted;

    private void wakeFence() {
        synchronized (fenceSignal) {
            fenceCheckWanted = true;
            fenceSignal.notifyAll();
        }
    }

    /** Waits until {@code deadlineNanos} (clock time) or a wake-up; false if interrupted. */
    private boolean awaitFenceCheck(long deadlineNanos) {
        synchronized (fenceSignal) {
            try {
                long wait;
                while (running && !fenceCheckWanted && (wait = deadlineNanos - clock.nanos()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(fenceSignal, wait);
                }
            } catch (InterruptedException e) {
                return false;
            }
            fenceCheckWanted = false;
            return running;
        }
    }

    /**
     * The fence thread's step: once per lapse of the lease, closes every probe port at once and wakes
     * the reconcile thread to stop the rest.
     */
    void fenceOnce() {
        boolean live = leaseLive();
        if (!live && !fenced) {
            boolean anything;
            lock.lock();
            try {
                anything = groups.stream().anyMatch(g -> g.memory.activity() == ActivityProto.ACTIVITY_ACTIVE
                        || g.memory.activity() == ActivityProto.ACTIVITY_STARTING);
            } finally {
                lock.unlock();
            }
            if (anything) {
                log.warn("lease ending without confirmation: fencing (probe ports closed first)");
            }
            groups.forEach(GroupRuntime::fence);
            wakeReconcile();
        }
        fenced = !live;
    }

    // ---- reconcile: the plan's steps ----

    /**
     * Each group reconciles on its own, on a small pool of workers, so that one group's slow script
     * does not hold back another's takeover, and 200 groups granted at once start side by side rather
     * than one after another (issue 12). This thread only dispatches: a group runs when something
     * changed (a grant, a lease that began or ended, a monitor's verdict: each wakes every group),
     * when its plan's own timer is due (it says when: {@link Step.Idle}), and for what resources
     * observe by themselves, every {@link #BUSY_PASS_NANOS} while it is on its way up or down or has
     * a mirror disk, every {@link #IDLE_PASS_NANOS} once settled. A group is never run twice at once;
     * a wake-up that comes while it runs runs it again when it ends.
     */
    private void reconcileLoop() {
        long next = clock.nanos();
        while (running) {
            if (!reconcileWanted.await(next)) {
                return;
            }
            if (!running) {
                return;
            }
            next = dispatch();
        }
    }

    static final long BUSY_PASS_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long IDLE_PASS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * At most this many groups start or stop resources at once (the pool's threads end when idle):
     * twice the cores, at least 4, at most 16. Scripts that wait (for a service to listen) gain from
     * more; scripts that compute only queue up for the cores, and many of them at once delayed this
     * node's own heartbeats (200 groups, 16 at once, 2 cores: a heartbeat took over a second).
     */
    static final int RECONCILE_WORKERS = Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors()));
    static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A group's place in the reconcile schedule; guarded by the agent's lock. */
    private static final class Lane {
        boolean running;
        /** Woken while running, or not yet dispatched since a wake-up. */
        boolean wanted = true;
        long dueNanos;
    }

    /** Under the lock: every group runs again (set by a wake-up, consumed by the next dispatch). */
    private boolean everyGroupWanted;

    /** Submits every group that is due and not running; returns when the next one falls due (clock time). */
    private long dispatch() {
        List<Integer> ready = new ArrayList<>();
        long now = clock.nanos();
        long next = now + IDLE_PASS_NANOS;
        List<GroupRuntime> groups;
        List<Lane> lanes;
        lock.lock();
        try {
            groups = this.groups;
            lanes = this.lanes;
            boolean all = everyGroupWanted;
            everyGroupWanted = false;
            for (int i = 0; i < groups.size(); i++) {
                Lane lane = lanes.get(i);
                lane.wanted |= all;
                if (lane.running) {
                    continue; // its end sets when it is due next and signals this thread again
                }
                // Groups due within a few milliseconds go together: 200 settled groups wake this thread
                // once a second, not 200 times.
                if (lane.wanted || lane.dueNanos - now <= COALESCE_NANOS) {
                    lane.wanted = false;
                    lane.running = true;
                    ready.add(i);
                } else {
                    next = Math.min(next, lane.dueNanos);
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i : ready) {
            GroupRuntime g = groups.get(i);
            Lane lane = lanes.get(i);
            try {
                workers.execute(() -> runLane(g, lane));
            } catch (RejectedExecutionException e) {
                return next; // closing
            }
        }
        return next;
    }

    private void runLane(GroupRuntime g, Lane lane) {
        long due = reconcileGroup(g);
        lock.lock();
        try {
            lane.dueNanos = due;
            lane.running = false;
        } finally {
            lock.unlock();
        }
        reconcileWanted.signal();
    }

    /**
     * One reconcile pass over every group in turn, each until its plan is idle; what tests drive in
     * place of the reconcile thread. Returns when the next pass is due (clock time).
     */
    long reconcileOnce() {
        long next = clock.nanos() + IDLE_PASS_NANOS;
        for (GroupRuntime g : groups) {
            next = Math.min(next, reconcileGroup(g));
        }
        return next;
    }

    /** Runs {@code g}'s plan until it is idle; returns when it should run next (clock time). */
    private long reconcileGroup(GroupRuntime g) {
        long now = clock.nanos();
        long due;
        try {
            due = reconcile(g);
        } catch (RuntimeException e) {
            log.error("reconcile of {} failed", g.group, e);
            due = now + BUSY_PASS_NANOS;
        }
        long after = clock.nanos();
        ActivityProto a;
        lock.lock();
        try {
            a = g.memory.activity();
        } finally {
            lock.unlock();
        }
        boolean settled = (a == ActivityProto.ACTIVITY_ACTIVE || a == ActivityProto.ACTIVITY_INACTIVE
                || a == ActivityProto.ACTIVITY_FAILED) && !g.hasMirrorDisk();
        // A deadline already past was just looked at (probe-wait's stays past).
        long next = due - after > 0 ? Math.min(due, after + IDLE_PASS_NANOS) : after + IDLE_PASS_NANOS;
        return settled ? next : Math.min(next, after + BUSY_PASS_NANOS);
    }

    private GroupState localGroup(String group) {
        return replica.read(s -> s.groupCopy(group).orElse(null));
    }

    /** Whether the group is in maintenance in this node's replica (monitors, restarts and failover paused). */
    private static boolean maintenance(GroupState local) {
        return local != null && local.maintenance();
    }

    /** The same, read in place: the heartbeat and monitor threads need the flag, not a copy of the group. */
    private boolean maintenance(String group) {
        return replica.read(s -> s.group(group).map(GroupState::maintenance).orElse(false));
    }

    /**
     * Runs the plan's steps for {@code g} until it is idle (bounded: a step that repeats forever is a
     * bug); returns when its plan asks to run again (clock time).
     */
    private long reconcile(GroupRuntime g) {
        for (int i = 0; i < MAX_STEPS_PER_PASS && running; i++) {
            GroupState local = localGroup(g.group);
            PlanInput input = new PlanInput(nodeId, local, lease, maintenance(local), observe(g), probesSeen(g),
                    clock.nanos());
            Step step;
            long epoch;
            lock.lock();
            try {
                String before = signature(g);
                ActivityProto was = g.memory.activity();
                step = AgentPlan.next(g.policy, g.memory, input);
                epoch = g.memory.epoch();
                logTransition(g, was);
                if (!before.equals(signature(g))) {
                    wakeHeartbeat();
                }
            } finally {
                lock.unlock();
            }
            if (step instanceof Step.Start start) {
                execute(g, start.index(), true, start.epoch());
            } else if (step instanceof Step.Stop stop) {
                execute(g, stop.index(), false, epoch);
            } else {
                // After a step, look again soon: what it started may still be settling.
                long wake = ((Step.Idle) step).wakeAtNanos();
                return i > 0 ? Math.min(wake, clock.nanos() + BUSY_PASS_NANOS) : wake;
            }
        }
        return clock.nanos();
    }

    /** Starts or stops one resource, outside the lock (a script may run for its whole timeout). */
    private void execute(GroupRuntime g, int index, boolean start, long epoch) {
        Resource r = g.resources.get(index);
        ResourceContext ctx = new ResourceContext(g.group, nodeId, epoch);
        String error = "";
        boolean ok = true;
        try {
            if (start) {
                r.start(ctx);
            } else {
                r.quiesce();
                r.stop(ctx);
            }
        } catch (ResourceException e) {
            ok = false;
            error = e.getMessage();
            log.warn("{}: {} failed to {}: {}", g.group, r.name(), start ? "start" : "stop", error);
        }
        lock.lock();
        try {
            String before = signature(g);
            if (start) {
                long now = clock.nanos();
                AgentPlan.started(g.policy, g.memory, index, ok, error, lease.live(now), now);
            } else {
                AgentPlan.stopped(g.policy, g.memory, index, ok, error, clock.nanos());
            }
            if (!before.equals(signature(g))) {
                wakeHeartbeat();
            }
        } finally {
            lock.unlock();
        }
    }

    private static List<Observed> observe(GroupRuntime g) {
        List<Observed> out = new ArrayList<>(g.resources.size());
        for (Resource r : g.resources) {
            out.add(switch (r.observe().status()) {
                case ACTIVE -> Observed.ACTIVE;
                case INACTIVE -> Observed.INACTIVE;
                case FAILED -> Observed.FAILED;
            });
        }
        return out;
    }

    private static long probesSeen(GroupRuntime g) {
        int i = g.policy.probeIndex();
        return i >= 0 && g.resources.get(i) instanceof ProbePortResource probe ? probe.probesSeen() : -1;
    }

    /** What a heartbeat would say of {@code g}, apart from resource details: a change sends one at once. */
    private static String signature(GroupRuntime g) {
        GroupMemory m = g.memory;
        StringBuilder b = new StringBuilder().append(m.activity()).append('/').append(m.epoch()).append('/')
                .append(m.released()).append('/').append(m.degraded()).append('/').append(m.monitorFailed())
                .append('/').append(m.message()).append('/').append(m.warnings());
        for (int i = 0; i < g.resources.size(); i++) {
            b.append('/').append(m.resource(i).verdict()).append(m.resource(i).restartsTotal());
        }
        return b.toString();
    }

    private void logTransition(GroupRuntime g, ActivityProto was) {
        // Called under the lock.
        ActivityProto now = g.memory.activity();
        if (now == was) {
            return;
        }
        String why = g.memory.message().isEmpty() ? "" : ": " + g.memory.message();
        if (now == ActivityProto.ACTIVITY_FAILED || now == ActivityProto.ACTIVITY_STOPPING) {
            log.warn("{}: {} (epoch {}){}", g.group, word(now), g.memory.epoch(), why);
        } else {
            log.info("{}: {} (epoch {}){}", g.group, word(now), g.memory.epoch(), why);
        }
    }

    private static String word(ActivityProto a) {
        return a == null ? "unknown" : a.name().substring("ACTIVITY_".length()).toLowerCase();
    }

    // ---- monitors ----

    /** Starts one self-rescheduling check loop per monitored resource of {@code g}; checks run only while it is active here. */
    private void startMonitors(GroupRuntime g) {
        for (int i = 0; i < g.monitors.size(); i++) {
            if (g.monitors.get(i) != null) {
                int index = i;
                ResourceMonitor monitor = g.monitors.get(i);
                monitorPool.execute(() -> {
                    monitor.check().prepare(monitor.timeout());
                    monitorTick(g, index);
                });
            }
        }
    }

    private void monitorTick(GroupRuntime g, int index) {
        if (!running || g.retired) {
            return;
        }
        ResourceMonitor monitor = g.monitors.get(index);
        long began = clock.nanos();
        try {
            checkOnce(g, index);
        } catch (RuntimeException e) {
            log.error("{}: monitor of {} failed", g.group, g.resources.get(index).name(), e);
        }
        // Every interval from the last start, but never sooner than half an interval after the last
        // check ended: a check that overran (a loaded machine) must not make two failures count at once.
        long now = clock.nanos();
        long delay = Math.max(began + monitor.interval().toNanos(), now + monitor.interval().toNanos() / 2) - now;
        if (running && !g.retired) {
            monitorPool.schedule(() -> monitorTick(g, index), delay, TimeUnit.NANOSECONDS);
        }
    }

    /** Runs resource {@code index}'s check if the plan wants it now, and records its result. */
    void checkOnce(GroupRuntime g, int index) {
        boolean maintenance = maintenance(g.group);
        long generation;
        lock.lock();
        try {
            if (!AgentPlan.monitoring(g.policy, g.memory, index, maintenance)) {
                return;
            }
            generation = g.memory.resource(index).generation();
        } finally {
            lock.unlock();
        }
        ResourceMonitor monitor = g.monitors.get(index);
        CheckResult result = monitor.check().check(monitor.timeout());
        lock.lock();
        try {
            boolean changed = AgentPlan.checked(g.policy, g.memory, index, generation, result.healthy(),
                    result.error(), clock.nanos());
            if (!result.healthy()) {
                log.warn("{}: check of {} failed ({} in a row): {}", g.group, g.resources.get(index).name(),
                        g.memory.resource(index).consecutiveFailures(), result.error());
            }
            if (changed) {
                wakeReconcile();
                wakeHeartbeat();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        monitorPool.shutdownNow();
        workers.shutdownNow(); // interrupts a running script: it is killed with its process group
        wakeHeartbeat();
        wakeReconcile();
        wakeFence();
        threads.forEach(Thread::interrupt);
        // Wait (bounded) so that stopAll() does not race a reconcile pass still starting things; an
        // interrupted script is killed with its process group.
        try {
            for (Thread t : threads) {
                t.join(5_000);
            }
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A stop as if the node had crashed (its storage failed): every probe port closes at once, then
     * the agent's threads stop (no more heartbeats, so the lease runs out and another node takes
     * over), then every resource is stopped. Unlike a clean stop nothing is handed over: this node
     * can no longer commit anything of its own.
     */
    public void fenceNow() {
        groups.forEach(GroupRuntime::fence);
        close();
        stopAll();
    }

    /** Stops every group's resources, probe ports first; used on a clean daemon shutdown. */
    public void stopAll() {
        for (GroupRuntime g : groups) {
            g.quiesce();
            long epoch;
            lock.lock();
            try {
                epoch = g.memory.epoch();
            } finally {
                lock.unlock();
            }
            ResourceContext ctx = new ResourceContext(g.group, nodeId, epoch);
            for (int i = g.resources.size() - 1; i >= 0; i--) {
                Resource r = g.resources.get(i);
                try {
                    r.stop(ctx);
                } catch (ResourceException e) {
                    log.error("{}: {} failed to stop at shutdown: {}", g.group, r.name(), e.getMessage());
                }
            }
        }
    }
}
