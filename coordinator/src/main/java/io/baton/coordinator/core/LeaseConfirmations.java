package io.baton.coordinator.core;

import io.baton.proto.Command;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Raft leader's record of when it last confirmed each node (on its monotonic clock), by a
 * committed heartbeat or by a heartbeat answered as a read ({@link HeartbeatReads}), and the lock
 * that keeps reads from confirming a lease the leader has decided is over.
 *
 * <p>A committed heartbeat and a takeover {@code Grant} meet in the log: the grant carries the
 * owner's {@code (incarnation, seq)} it was decided on and the core refuses it if a newer heartbeat
 * of the owner committed first. A read leaves no trace in the log, so the leader makes the same
 * check itself: before it proposes a decision that takes a group from an owner it was not hearing,
 * it {@linkplain #closeReads closes} reads for that owner, unless a read confirmed the owner since the
 * decision's view (then it drops the decision). A closed owner's reads are refused (it must write),
 * until the state shows a heartbeat of the owner newer than the decision's: every such decision is
 * then refused as stale when it commits. All on the same lock, so a read and a decision are ordered.
 *
 * <p>Leader changes need nothing more: a read is answered only after a heartbeat round that proves
 * the leadership after the read arrived, and a new leader counts every node as confirmed when it
 * becomes ready, later than that round. Pure apart from the lock: time is a parameter.
 */
public final class LeaseConfirmations {
    /** The owner a decision takes a group from, as the decision names it for the core's check. */
    public record Taking(String owner, long incarnation, long seq) {}

    private final Map<String, Long> lastHeard = new HashMap<>();
    /** Owners whose lease the leader decided is over: the heartbeat the decision saw. */
    private final Map<String, Taking> closed = new HashMap<>();

    /** A heartbeat of {@code node} committed and applied by the ready leader at {@code nowNanos}. */
    public synchronized void heard(String node, long nowNanos) {
        lastHeard.put(node, nowNanos);
    }

    /**
     * A heartbeat of {@code node} read at {@code nowNanos} from a state where its last committed
     * heartbeat is {@code (incarnation, seq)}: true if the read confirms it (then it counts as heard
     * now), false if a decision closed its reads and no newer heartbeat has committed since.
     */
    public synchronized boolean confirmRead(String node, long incarnation, long seq, long nowNanos) {
        Taking t = closed.get(node);
        if (t != null) {
            if (t.incarnation() == incarnation && t.seq() == seq) {
                return false;
            }
            closed.remove(node); // a newer heartbeat committed: the decision is refused as stale
        }
        lastHeard.put(node, nowNanos);
        return true;
    }

    /** When {@code node} was last confirmed (empty: not yet under this leadership). */
    public synchronized OptionalLong lastHeard(String node) {
        Long t = lastHeard.get(node);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** Whether reads of {@code node} are closed (for tests and status). */
    public synchronized boolean readsClosed(String node) {
        return closed.containsKey(node);
    }

    /** The leader's view now, for a decision. */
    public synchronized Liveness liveness(long leaderSinceNanos) {
        return new Liveness(leaderSinceNanos, lastHeard);
    }

    /**
     * Before proposing a decision that takes a group from {@code taking.owner()}: true, and its reads
     * closed, if it has not been heard since {@code decidedOn}; false (propose nothing, decide again)
     * if it has.
     */
    public synchronized boolean closeReads(Taking taking, Liveness decidedOn) {
        Long heardThen = decidedOn.lastHeardNanos().get(taking.owner());
        if (!Objects.equals(lastHeard.get(taking.owner()), heardThen)) {
            return false;
        }
        closed.put(taking.owner(), taking);
        return true;
    }

    /**
     * Of the controller's {@code decisions} on {@code state} and {@code decidedOn}, those to propose:
     * each that takes a group from an owner closes that owner's reads first ({@link #closeReads}), and
     * is dropped if the owner was heard since (the next decision sees it).
     */
    public List<Command> admit(ClusterState state, List<Command> decisions, Liveness decidedOn) {
        List<Command> out = new ArrayList<>();
        for (Command c : decisions) {
            Optional<Taking> taking = takesFrom(state, c);
            if (taking.isEmpty() || closeReads(taking.get(), decidedOn)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The owner a controller decision takes a group from: a {@code Grant} or {@code Revoke} of a group
     * that has an owner in {@code s} (the state it was decided on). Empty for any other command.
     */
    public static Optional<Taking> takesFrom(ClusterState s, Command decision) {
        String group;
        long incarnation;
        long seq;
        if (decision.hasGrant()) {
            group = decision.getGrant().getGroup();
            incarnation = decision.getGrant().getOwnerIncarnation();
            seq = decision.getGrant().getOwnerSeq();
        } else if (decision.hasRevoke()) {
            group = decision.getRevoke().getGroup();
            incarnation = decision.getRevoke().getOwnerIncarnation();
            seq = decision.getRevoke().getOwnerSeq();
        } else {
            return Optional.empty();
        }
        GroupState g = s.groups.get(group);
        return g == null || g.owner == null ? Optional.empty() : Optional.of(new Taking(g.owner, incarnation, seq));
    }
}
