package io.baton.coordinator.core;

import io.baton.proto.GroupReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The committed state of one failover group. Mutated only by {@link Core#apply}. */
public final class GroupState {
    final String name;
    /** The node holding the grant, or null. */
    String owner;
    /** Grows by one with every grant: the fencing token. */
    long epoch;
    Phase phase = Phase.OFFLINE;
    /** Where a move sends the group once the owner has released it, or null. */
    String moveTarget;
    /** Set by an operator's stop: the controller starts nothing until a start. */
    boolean adminStopped;
    /**
     * The nodes where the group failed (activation, or a monitor), oldest first, each with when and why;
     * the controller skips them. A record lasts the group's failure timeout, or until an operator's
     * start, clear or move there.
     */
    final Map<String, Failure> failures = new LinkedHashMap<>();
    /** When each monitor failover within the group's failover window was committed (proposers' wall ms). */
    final List<Long> failoverWallMs = new ArrayList<>();
    /** Set by an operator: the controller grants, takes over and revokes nothing for this group. */
    boolean maintenance;
    /**
     * Why the group is held FAILED (on_failure stop, failover limit reached), or null. The controller
     * starts a held group nowhere until an operator's start or clear; any grant ends the hold.
     */
    String hold;
    /** ClearFailures applied so far: an owner stuck on a failing stop retries when this grows. */
    long clears;
    /** Grants after the owner's lease ran out, and moves ended by a grant to their target (metrics). */
    long takeovers;
    long moves;
    /** The latest report of each member node. */
    final Map<String, GroupReport> reports = new TreeMap<>();
    /**
     * Mirrored groups: the committed state of each member's replica. Empty until the first grant
     * (a new disk, whose first owner becomes the source of a full sync).
     */
    final Map<String, Replica> replicas = new TreeMap<>();

    GroupState(String name) {
        this.name = name;
    }

    GroupState copy() {
        GroupState c = new GroupState(name);
        c.owner = owner;
        c.epoch = epoch;
        c.phase = phase;
        c.moveTarget = moveTarget;
        c.adminStopped = adminStopped;
        c.failures.putAll(failures);
        c.failoverWallMs.addAll(failoverWallMs);
        c.maintenance = maintenance;
        c.hold = hold;
        c.clears = clears;
        c.takeovers = takeovers;
        c.moves = moves;
        c.reports.putAll(reports);
        c.replicas.putAll(replicas);
        return c;
    }

    public String name() {
        return name;
    }

    public String owner() {
        return owner;
    }

    public long epoch() {
        return epoch;
    }

    public Phase phase() {
        return phase;
    }

    public String moveTarget() {
        return moveTarget;
    }

    public boolean adminStopped() {
        return adminStopped;
    }

    /** The nodes with a failure record, oldest first: the controller skips them. */
    public Set<String> failedOn() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(failures.keySet()));
    }

    /** The failure records, oldest first. */
    public List<Failure> failures() {
        return List.copyOf(failures.values());
    }

    /** When each recent monitor failover was committed (proposers' wall ms), oldest first. */
    public List<Long> failoverWallMs() {
        return List.copyOf(failoverWallMs);
    }

    /** In maintenance: no automatic grant, takeover or revoke (an owner that loses its lease still fences). */
    public boolean maintenance() {
        return maintenance;
    }

    /** Held FAILED (on_failure stop or failover limit): started nowhere until an operator's start or clear. */
    public boolean held() {
        return hold != null;
    }

    /** Why the group is held, or null when it is not. */
    /** How many times another node was granted the group after its owner's lease ran out. */
    public long takeovers() {
        return takeovers;
    }

    /** How many moves ended with the group granted to their target. */
    public long moves() {
        return moves;
    }

    /** How many times an operator cleared the group's failures ('batonctl clear'). */
    public long clears() {
        return clears;
    }

    public String holdReason() {
        return hold;
    }

    /** Whether {@code node} has a failure record for this group. */
    boolean failedOn(String node) {
        return failures.containsKey(node);
    }

    public Map<String, GroupReport> reports() {
        return Map.copyOf(reports);
    }

    /** Mirrored groups: each member's committed replica state; empty before the first grant. */
    public Map<String, Replica> replicas() {
        return Map.copyOf(replicas);
    }

    /** {@code node}'s committed replica state, or null when none is recorded. */
    public Replica replica(String node) {
        return replicas.get(node);
    }
}
