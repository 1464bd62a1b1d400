package io.baton.coordinator.agent;

import io.baton.proto.ActivityProto;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a node's agent remembers of one group between steps of its {@link AgentPlan}: what it last
 * did, why, which epoch it failed or released, and each resource's monitor and restart history.
 * Plain data with no threads or clocks: the plan changes it, the agent keeps it under its lock and
 * reports from it, the simulation keeps one per simulated node.
 */
public final class GroupMemory {
    /** What the node reports; null after a daemon start, until a first pass has stopped everything. */
    ActivityProto activity;
    /** The grant epoch acted on (reported with the activity). */
    long epoch;
    /** Why the group failed or is degraded here; "" otherwise. */
    String message = "";
    /** The epoch whose activation failed here (a failed start, or a monitor with no restart left). */
    long failedEpoch = -1;
    /** The latest epoch this node reported released: it never activates it again. */
    long releasedEpoch = -1;
    /** failedEpoch was set by a monitor whose restarts were used up (a failover, not a failed start). */
    boolean monitorFailed;
    /** on_failure keep: a monitor failed with no restart left and the group was left running. */
    boolean degraded;
    /** A local restart is under way: resources from this index on are stopped (probe port first), then started again. -1: none. */
    int restartFrom = -1;
    /** The current activation is a local restart (a failed start then counts as a monitor failure). */
    boolean restarting;
    /** The highest resource index a start was attempted for since the activation began; -1: none. */
    int attempted = -1;
    /** Resources still to stop in the current deactivation pass, highest index first; null: no pass. */
    TreeSet<Integer> pendingStops;
    /** Stops of the current pass that failed ("name: reason"). */
    final List<String> stopFailures = new ArrayList<>();
    /** The last pass left something possibly up: retried no sooner than {@link #nextStopRetryNanos}. */
    boolean stopFailed;
    long nextStopRetryNanos;
    /** Deactivation passes in a row that left something possibly up. */
    int failedStopPasses;
    /**
     * After {@link AgentPlan#STOP_TRIES} failed passes the plan stops retrying until an operator's
     * clear: the group's clear count when it gave up; -1 while it still retries.
     */
    long stopGaveUpAtClears = -1;
    /** The probe port's probe count when it last changed, and when (monotonic). */
    long probeCount = -1;
    long probeChangedNanos;
    /** Warnings reported with the group, e.g. probe-wait. */
    final List<String> warnings = new ArrayList<>();
    final List<ResourceMemory> resources = new ArrayList<>();

    public GroupMemory(PlanPolicy policy) {
        for (int i = 0; i < policy.size(); i++) {
            resources.add(new ResourceMemory(policy.monitor(i) != null));
        }
    }

    /** Null until the first pass after a daemon start. */
    public ActivityProto activity() {
        return activity;
    }

    public long epoch() {
        return epoch;
    }

    public String message() {
        return message;
    }

    public long failedEpoch() {
        return failedEpoch;
    }

    public long releasedEpoch() {
        return releasedEpoch;
    }

    /** Reported FAILED because a monitor's restarts were used up. */
    public boolean monitorFailed() {
        return monitorFailed && activity == ActivityProto.ACTIVITY_FAILED;
    }

    public boolean degraded() {
        return degraded;
    }

    public boolean stopFailed() {
        return stopFailed;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public ResourceMemory resource(int index) {
        return resources.get(index);
    }

    /** Whether this node reports {@code epoch} released: it saw the release and nothing is up. */
    public boolean released() {
        return releasedEpoch >= 0 && releasedEpoch == epoch && !stopFailed
                && (activity == ActivityProto.ACTIVITY_INACTIVE || activity == ActivityProto.ACTIVITY_FAILED);
    }

    AgentRules.Memory rules() {
        return new AgentRules.Memory(failedEpoch, releasedEpoch);
    }
}
