package io.baton.coordinator.sim;

/** Counters of one schedule, summed over many. */
final class Stats {
    long schedules;
    long simulatedNanos;
    long events;
    long commits;
    long heartbeats;
    /** Heartbeats sent as reads (HeartbeatChoice), of {@link #heartbeats}. */
    long heartbeatReads;
    long elections;
    long faults;
    long takeovers;
    /** Controller Grants/Revokes the core refused as stale because the owner heartbeated after the decision. */
    long staleOwnerHeartbeat;
    /** Controller Grants the core refused as stale because an operator stopped the group after the decision. */
    long staleStopped;
    /** Controller Grants/Revokes refused as stale for another reason: a changed epoch, a node gone down. */
    long staleOther;
    long fences;
    long appCrashes;
    long monitorRestarts;
    long monitorFailovers;
    /** L2 crashes after which no node was left to run the application (every member failed it). */
    long appsExhausted;
    long activations;
    long operatorCommands;
    /** Replica states the core changed (an owner recording a peer behind or caught up). */
    long replicaChanges;
    /** Operators' force-activations of an Outdated replica that the core accepted. */
    long forceActivations;
    long maxConvergenceNanos;

    void add(Stats o) {
        schedules += o.schedules;
        simulatedNanos += o.simulatedNanos;
        events += o.events;
        commits += o.commits;
        heartbeats += o.heartbeats;
        heartbeatReads += o.heartbeatReads;
        elections += o.elections;
        faults += o.faults;
        takeovers += o.takeovers;
        staleOwnerHeartbeat += o.staleOwnerHeartbeat;
        staleStopped += o.staleStopped;
        staleOther += o.staleOther;
        fences += o.fences;
        appCrashes += o.appCrashes;
        monitorRestarts += o.monitorRestarts;
        monitorFailovers += o.monitorFailovers;
        appsExhausted += o.appsExhausted;
        activations += o.activations;
        operatorCommands += o.operatorCommands;
        replicaChanges += o.replicaChanges;
        forceActivations += o.forceActivations;
        maxConvergenceNanos = Math.max(maxConvergenceNanos, o.maxConvergenceNanos);
    }

    String summary(long wallMillis) {
        return String.format("sim: %d schedules, %.0f simulated s, %d faults injected, %d takeovers "
                        + "(controller decisions refused as stale: %d owner heartbeat, %d stopped, %d epoch or node down), "
                        + "%d fences, %d application crashes (%d local restarts, %d monitor failovers, %d with no node left), %d activations, %d operator commands, %d replica changes, %d force-activations, "
                        + "%d elections, %d commits, %d heartbeats (%d sent as reads), %d events, "
                        + "slowest heal %d ms (bound %d ms), wall %d ms",
                schedules, simulatedNanos / 1e9, faults, takeovers, staleOwnerHeartbeat, staleStopped, staleOther,
                fences, appCrashes, monitorRestarts, monitorFailovers, appsExhausted, activations, operatorCommands, replicaChanges, forceActivations, elections,
                commits, heartbeats, heartbeatReads, events, maxConvergenceNanos / 1_000_000, SimConfig.l1BoundNanos() / 1_000_000, wallMillis);
    }
}
