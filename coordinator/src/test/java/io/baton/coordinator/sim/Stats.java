package io.baton.coordinator.sim;

/** Counters of one schedule, summed over many. */
final class Stats {
    long schedules;
    long simulatedNanos;
    long events;
    long commits;
    long heartbeats;
    long elections;
    long faults;
    long takeovers;
    long fixRefusals;
    long fences;
    long activations;
    long operatorCommands;
    long maxConvergenceNanos;

    void add(Stats o) {
        schedules += o.schedules;
        simulatedNanos += o.simulatedNanos;
        events += o.events;
        commits += o.commits;
        heartbeats += o.heartbeats;
        elections += o.elections;
        faults += o.faults;
        takeovers += o.takeovers;
        fixRefusals += o.fixRefusals;
        fences += o.fences;
        activations += o.activations;
        operatorCommands += o.operatorCommands;
        maxConvergenceNanos = Math.max(maxConvergenceNanos, o.maxConvergenceNanos);
    }

    String summary(long wallMillis) {
        return String.format("sim: %d schedules, %.0f simulated s, %d faults injected, %d takeovers "
                        + "(+%d decisions refused by the proposed fixes), %d fences, "
                        + "%d activations, %d operator commands, %d elections, %d commits, %d events, "
                        + "slowest heal %d ms (bound %d ms), wall %d ms",
                schedules, simulatedNanos / 1e9, faults, takeovers, fixRefusals, fences, activations, operatorCommands, elections,
                commits, events, maxConvergenceNanos / 1_000_000, SimConfig.l1BoundNanos() / 1_000_000, wallMillis);
    }
}
