package io.baton.coordinator.core;

import io.baton.proto.GroupReport;
import java.util.LinkedHashSet;
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
    /** Nodes where activation failed since the last operator start; the controller skips them. */
    final Set<String> failedOn = new LinkedHashSet<>();
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
        c.failedOn.addAll(failedOn);
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

    public Set<String> failedOn() {
        return Set.copyOf(failedOn);
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
