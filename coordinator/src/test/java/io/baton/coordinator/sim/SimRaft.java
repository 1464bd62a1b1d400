package io.baton.coordinator.sim;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Raft, abstracted: one committed log applied by a single {@link Core} to the authoritative state.
 * A leader leads while it is up and reaches a majority; when it cannot, an election among the nodes
 * that can runs after 150–600 ms (the witness first, as with Ratis priorities). A leader that lost its
 * majority but was not replaced simply leads again once it can (a healed partition, a resumed pause),
 * keeping its controller's view. Entries commit in the order the leader appended them, within the network's commit latency of
 * their append at the earliest, while that leader leads; of a deposed leader's uncommitted entries a
 * random prefix survives into the next term (it reached the new leader's log), the rest is lost.
 */
final class SimRaft {
    private static final class Proposal {
        final SimNode from;
        final long fromIncarnation;
        /** Stamped with its appender when the leader appends it, as BatonStateMachine.startTransaction does. */
        Command command;
        final Consumer<CommandResult> onReply;
        final long term;
        long commitAt;

        Proposal(SimNode from, long fromIncarnation, Command command, Consumer<CommandResult> onReply, long term) {
            this.from = from;
            this.fromIncarnation = fromIncarnation;
            this.command = command;
            this.onReply = onReply;
            this.term = term;
        }
    }

    private final Sim sim;
    final Core core;
    final ClusterState state;
    private final List<Command> log = new ArrayList<>();
    private final Set<String> isolated = new TreeSet<>();
    private final List<Proposal> pending = new ArrayList<>();
    SimNode leader;
    long term;
    private boolean electionScheduled;
    private long lastCommitAt;

    SimRaft(Sim sim) {
        this.sim = sim;
        this.core = new Core(sim.topology);
        this.state = ClusterState.initial(sim.topology);
    }

    Command entry(long index) {
        return log.get((int) index - 1);
    }

    long commitIndex() {
        return log.size();
    }

    // ---- connectivity ----

    boolean isolated(SimNode n) {
        return isolated.contains(n.id);
    }

    void isolate(SimNode n, boolean on) {
        if (on) {
            isolated.add(n.id);
        } else {
            isolated.remove(n.id);
        }
    }

    void healPartitions() {
        isolated.clear();
    }

    boolean connected(SimNode a, SimNode b) {
        return a.up() && b.up() && (a == b || (!isolated(a) && !isolated(b)));
    }

    private boolean canLead(SimNode n) {
        if (!n.up()) {
            return false;
        }
        int reach = 0;
        for (SimNode m : sim.nodes.values()) {
            if (connected(n, m)) {
                reach++;
            }
        }
        return reach > sim.nodes.size() / 2;
    }

    boolean effective() {
        return leader != null && canLead(leader);
    }

    boolean isLeader(SimNode n) {
        return leader == n && effective();
    }

    // ---- leadership ----

    /** Called after every fault change: elect if nobody leads, let a leader that leads again commit. */
    void changed() {
        if (leader != null && leader.status == SimNode.Status.CRASHED) {
            leader = null; // its leadership died with the process
        }
        if (!effective()) {
            scheduleElection();
        } else {
            retryPending();
            deliverAll();
        }
    }

    private void scheduleElection() {
        if (!electionScheduled) {
            electionScheduled = true;
            sim.scheduler.at(sim.scheduler.now() + sim.between(SimConfig.ELECTION_MIN_NANOS, SimConfig.ELECTION_MAX_NANOS),
                    this::elect);
        }
    }

    private void elect() {
        electionScheduled = false;
        if (effective()) {
            retryPending();
            return;
        }
        List<SimNode> candidates = sim.nodes.values().stream().filter(this::canLead).toList();
        if (candidates.isEmpty()) {
            scheduleElection();
            return;
        }
        SimNode next = candidates.stream().filter(n -> n.witness).findFirst()
                .orElse(candidates.get(sim.random.nextInt(candidates.size())));
        if (leader != null && leader.controller != null) {
            leader.controller.notLeader();
        }
        leader = next;
        term++;
        sim.stats.elections++;
        sim.trace.add(next.id, "elected leader, term " + term);
        // The new leader's log holds some prefix of what the old one had appended: those commit now.
        int kept = pending.isEmpty() ? 0 : sim.random.nextInt(pending.size() + 1);
        List<Proposal> old = List.copyOf(pending);
        for (int i = 0; i < old.size(); i++) {
            if (i < kept) {
                commit(old.get(i));
            } else {
                fail(old.get(i));
            }
        }
        lastCommitAt = 0;
        next.catchUp(commitIndex());
        next.controller.leaderReady();
        deliverAll();
    }

    // ---- proposals ----

    /**
     * Proposes {@code command} from {@code from}; {@code onReply} gets the result, or null if it failed
     * or got lost. It reaches the leader after a message latency and is appended there; entries commit in append
     * order, each a commit latency after its append at the earliest.
     */
    void submit(SimNode from, Command command, Consumer<CommandResult> onReply) {
        Command stamped = command.toBuilder().setWallTimeMs(1_700_000_000_000L + sim.scheduler.now() / 1_000_000)
                .setProposer(from.id).build(); // as RaftNode does

        Proposal p = new Proposal(from, from.incarnation, stamped, onReply, term);
        if (!effective() || !connected(from, leader)) {
            reply(p, null);
            return;
        }
        long arrive = sim.scheduler.now() + (from == leader ? 0 : sim.between(0, sim.config.network().messageMaxNanos()));
        sim.scheduler.at(arrive, () -> append(p));
    }

    /**
     * A heartbeat sent as a linearizable read: it reaches the leader after a message latency; a ReadIndex
     * round (a commit latency, the leader reaching a majority at its end) proves the leadership; the
     * leader's controller answers it from its replica, which has applied everything committed. The
     * answer, or null, reaches {@code from} like a write's.
     */
    void read(SimNode from, Command heartbeat, Consumer<CommandResult> onReply) {
        Command stamped = heartbeat.toBuilder().setWallTimeMs(1_700_000_000_000L + sim.scheduler.now() / 1_000_000)
                .setProposer(from.id).build();
        Proposal p = new Proposal(from, from.incarnation, stamped, onReply, term);
        if (!effective() || !connected(from, leader)) {
            reply(p, null);
            return;
        }
        long arrive = sim.scheduler.now() + (from == leader ? 0 : sim.between(0, sim.config.network().messageMaxNanos()));
        sim.scheduler.at(arrive, () -> {
            if (p.term != term || !effective() || !connected(p.from, leader)) {
                reply(p, null);
                return;
            }
            SimNode servedBy = leader;
            long proven = sim.scheduler.now() + sim.between(1 * SimConfig.MS, sim.config.network().commitMaxNanos());
            sim.scheduler.at(proven, () -> {
                if (leader != servedBy || p.term != term || !effective() || !servedBy.up()) {
                    reply(p, null);
                    return;
                }
                reply(p, servedBy.controller.read(p.command));
            });
        });
    }

    private void append(Proposal p) {
        if (p.term != term || !effective() || !connected(p.from, leader)) {
            reply(p, null);
            return;
        }
        p.command = p.command.toBuilder().setAppendedBy(leader.id).build();
        pending.add(p);
        scheduleCommit(p);
    }

    private void scheduleCommit(Proposal p) {
        long now = sim.scheduler.now();
        p.commitAt = Math.max(lastCommitAt, now + sim.between(1 * SimConfig.MS, sim.config.network().commitMaxNanos()));
        lastCommitAt = p.commitAt;
        sim.scheduler.at(p.commitAt, this::commitReady);
    }

    /** Commits the appended entries of the current leader that are due, in append order. */
    private void commitReady() {
        while (!pending.isEmpty() && effective()) {
            Proposal p = pending.get(0);
            if (p.term != term || p.commitAt > sim.scheduler.now()) {
                return;
            }
            commit(p);
        }
    }

    private void retryPending() {
        lastCommitAt = 0;
        for (Proposal p : pending) {
            if (p.term == term) {
                scheduleCommit(p);
            }
        }
    }

    private void commit(Proposal p) {
        pending.remove(p);
        log.add(p.command);
        long index = log.size();
        var before = sim.invariants.beforeCommit();
        CommandResult r = core.apply(state, p.command, index);
        sim.invariants.committed(before, p.command, r, index);
        if (leader != null && leader.up()) {
            leader.catchUp(index);
        }
        deliverAll();
        reply(p, r);
    }

    private void fail(Proposal p) {
        pending.remove(p);
        reply(p, null);
    }

    /** The answer reaches the proposer shortly if it can still be reached, else it times out later. */
    private void reply(Proposal p, CommandResult r) {
        long now = sim.scheduler.now();
        boolean reachable = r != null && !isolated(p.from);
        long at = reachable ? now + sim.between(0, sim.config.network().messageMaxNanos()) : now + 1_000 * SimConfig.MS;
        CommandResult answer = reachable ? r : null;
        if (p.from.incarnation == p.fromIncarnation) {
            sim.scheduler.at(at, p.from, () -> p.onReply.accept(answer));
        }
    }

    /** Followers connected to the leader receive and apply the committed log after a small delay. */
    private void deliverAll() {
        if (!effective()) {
            return;
        }
        for (SimNode n : sim.nodes.values()) {
            if (n != leader && !n.deliveryPending && n.applied < commitIndex() && connected(n, leader)) {
                n.deliveryPending = true;
                sim.scheduler.at(sim.scheduler.now() + sim.between(1 * SimConfig.MS, sim.config.network().applyMaxNanos()), n, () -> {
                    n.deliveryPending = false;
                    if (effective() && connected(n, leader)) {
                        n.catchUp(commitIndex());
                    }
                });
            }
        }
    }
}
