package io.baton.coordinator.agent;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the agent remembers of one resource: its monitor's recent results and its local restarts.
 * Plain data, changed only by {@link AgentPlan}; the agent keeps it under its lock.
 */
public final class ResourceMemory {
    /** Grows with every successful start: a check result taken for an older start is dropped. */
    long generation;
    /** When the resource last started (monotonic), for the start grace. */
    long startedAtNanos;
    Verdict verdict;
    int consecutiveFailures;
    String lastError = "";
    /** When each local restart within the window began (monotonic), oldest first. */
    final Deque<Long> restarts = new ArrayDeque<>();
    long failedChecksTotal;
    long failedTotal;
    long restartsTotal;

    ResourceMemory(boolean monitored) {
        verdict = monitored ? Verdict.WAITING : Verdict.NONE;
    }

    public long generation() {
        return generation;
    }

    public Verdict verdict() {
        return verdict;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public String lastError() {
        return lastError;
    }

    /** Restarts within the window as of the last time the plan looked. */
    public int restartsInWindow() {
        return restarts.size();
    }

    public long failedChecksTotal() {
        return failedChecksTotal;
    }

    public long failedTotal() {
        return failedTotal;
    }

    public long restartsTotal() {
        return restartsTotal;
    }

    /** A fresh start: a new generation, no verdict until the first check after the grace. */
    void started(long nowNanos) {
        generation++;
        startedAtNanos = nowNanos;
        consecutiveFailures = 0;
        if (verdict != Verdict.NONE) {
            verdict = Verdict.WAITING;
        }
    }

    /** Forgets restarts that began before {@code sinceNanos}. */
    void pruneRestarts(long sinceNanos) {
        while (!restarts.isEmpty() && restarts.peekFirst() < sinceNanos) {
            restarts.removeFirst();
        }
    }
}
