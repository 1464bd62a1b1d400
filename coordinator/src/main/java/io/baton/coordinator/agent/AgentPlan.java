package io.baton.coordinator.agent;

import io.baton.coordinator.core.GroupState;
import io.baton.proto.ActivityProto;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The node agent's decisions for one group, as functions of (policy, memory, input): which single
 * step comes next, and what a step's outcome or a check's result changes. No clock, thread or I/O:
 * the daemon's {@code NodeAgent} executes the steps on real resources, the simulation on fake ones,
 * both through this class.
 *
 * <p>Level-based: every call decides from what is (the grant and lease, the resources' observed
 * states, the monitors' verdicts), never from what the previous step hoped to achieve.
 * <ul>
 *   <li><b>Active wanted</b> ({@link AgentRules#shouldBeActive}): start the first resource that is
 *       not active, in order, so the probe port (last) opens only when everything before it is up.</li>
 *   <li><b>Monitor failed</b> while active: a local restart if the resource has one left in its
 *       window: every resource from the last down to the failed one is stopped, <em>the probe port
 *       first</em> (the load balancer stops sending before the application goes), then they start
 *       again in order. No restart left: with {@code on_failure: keep} the group stays up, degraded;
 *       otherwise the epoch counts as failed here, everything stops, and the report says FAILED with
 *       {@code monitor_failed} so that the core fails the group over.</li>
 *   <li><b>Not wanted</b>: one deactivation pass stops every resource in reverse order (stops are
 *       idempotent), whatever it was doing; a failed stop is retried no more than once a second and
 *       the group is reported STOPPING meanwhile, never FAILED or released, since something may be
 *       up. Then a group being released is reported released.</li>
 * </ul>
 * Fencing is not here: the agent closes probe ports the moment its lease is about to end, whatever
 * step is running, and this plan then stops the rest.
 */
public final class AgentPlan {
    /** A failed stop is tried again no sooner than this. */
    public static final long STOP_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Failed stop passes in a row after which the plan waits for an operator ('batonctl clear'). */
    public static final int STOP_TRIES = 5;
    /** The warnings' prefixes, and so their events' kinds. */
    public static final String STOP_FAILED = "stop-failed";
    public static final String STOP_STUCK = "stop-stuck";

    private AgentPlan() {}

    /** The next step for the group; may change {@code m}. */
    public static Step next(PlanPolicy p, GroupMemory m, PlanInput in) {
        if (m.pendingStops != null) {
            return continueDeactivation(p, m, in);
        }
        if (AgentRules.shouldBeActive(in.node(), in.local(), in.lease(), m.rules(), in.nowNanos())) {
            return whileWanted(p, m, in);
        }
        return whileNotWanted(p, m, in);
    }

    /** Whether resource {@code index}'s monitor should check it now. */
    public static boolean monitoring(PlanPolicy p, GroupMemory m, int index, boolean maintenance) {
        return p.monitor(index) != null && !maintenance && m.activity == ActivityProto.ACTIVITY_ACTIVE
                && m.restartFrom < 0 && m.pendingStops == null;
    }

    /**
     * Records one check of resource {@code index}, taken for its start {@code generation}; a result
     * for an older start, or within the start grace, gives no verdict. Returns whether the verdict
     * changed (the agent then asks for the next step at once).
     */
    public static boolean checked(PlanPolicy p, GroupMemory m, int index, long generation, boolean healthy,
                                  String error, long nowNanos) {
        MonitorSpec spec = p.monitor(index);
        ResourceMemory r = m.resources.get(index);
        if (spec == null || generation != r.generation) {
            return false;
        }
        Verdict was = r.verdict;
        if (healthy) {
            r.consecutiveFailures = 0;
            r.verdict = Verdict.HEALTHY;
        } else {
            r.failedChecksTotal++;
            r.lastError = error == null ? "" : error;
            if (nowNanos - r.startedAtNanos < spec.startGraceNanos()) {
                return false;
            }
            r.consecutiveFailures++;
            if (r.consecutiveFailures >= spec.failures()) {
                if (was != Verdict.FAILED) {
                    r.failedTotal++;
                }
                r.verdict = Verdict.FAILED;
            } else {
                r.verdict = Verdict.FAILING;
            }
        }
        return r.verdict != was;
    }

    /** The outcome of a {@link Step.Start} of resource {@code index}. */
    public static void started(PlanPolicy p, GroupMemory m, int index, boolean ok, String error, long nowNanos) {
        started(p, m, index, ok, error, true, nowNanos);
    }

    /**
     * The outcome of a {@link Step.Start}; {@code leaseLive}: whether this node's lease was still live when
     * the start ended. A start that failed after the lease lapsed failed because this node fenced itself
     * (a mirror disk refuses writes, a mount fails): that says nothing of the group on this node, so it is
     * not recorded as a failed activation. The deactivation the lapse begins stops what started, and the
     * group starts again from the first resource once a heartbeat confirms the grant.
     */
    public static void started(PlanPolicy p, GroupMemory m, int index, boolean ok, String error, boolean leaseLive,
                               long nowNanos) {
        if (ok) {
            m.resources.get(index).started(nowNanos);
            return;
        }
        if (!leaseLive) {
            m.message = p.names().get(index) + ": " + error + " (the lease lapsed during the start: it starts again once"
                    + " the lease is confirmed)";
            // Should the lease be confirmed before the next step, everything that may be up stops first,
            // then the group starts from its first resource, as after a lapse.
            m.restartFrom = 0;
            return;
        }
        // Rolled back by the deactivation the next step begins: this epoch is not retried here.
        m.failedEpoch = m.epoch;
        m.monitorFailed = m.restarting;
        m.message = p.names().get(index) + ": " + error;
    }

    /** The outcome of a {@link Step.Stop} of resource {@code index}. */
    public static void stopped(PlanPolicy p, GroupMemory m, int index, boolean ok, String error, long nowNanos) {
        String name = p.names().get(index);
        if (m.pendingStops != null) {
            m.pendingStops.remove(index);
            if (!ok) {
                m.stopFailures.add(name + ": " + error);
            }
        } else if (!ok && m.restartFrom >= 0) {
            // A restart whose stop failed: give up here; the deactivation that follows retries the stop.
            m.failedEpoch = m.epoch;
            m.monitorFailed = true;
            m.restartFrom = -1;
            m.message = "restart of " + name + " failed: " + error;
        }
    }

    // ---- wanted active ----

    private static Step whileWanted(PlanPolicy p, GroupMemory m, PlanInput in) {
        GroupState local = in.local();
        long now = in.nowNanos();
        boolean current = m.activity == ActivityProto.ACTIVITY_ACTIVE || m.activity == ActivityProto.ACTIVITY_STARTING;
        if (!current || m.epoch != local.epoch()) {
            m.activity = ActivityProto.ACTIVITY_STARTING;
            m.epoch = local.epoch();
            m.message = "";
            m.restartFrom = -1;
            m.restarting = false;
            m.attempted = -1;
            m.degraded = false;
            m.monitorFailed = false;
            m.stopFailed = false;
            m.failedStopPasses = 0;
            m.stopGaveUpAtClears = -1;
            m.warnings.clear();
        }
        if (m.activity == ActivityProto.ACTIVITY_ACTIVE && m.restartFrom < 0 && !in.maintenance()) {
            Step recovery = recover(p, m, in);
            if (recovery != null) {
                return recovery;
            }
        }
        if (m.restartFrom >= 0) {
            // Probe port first: from the last resource down to the failed one.
            for (int i = p.size() - 1; i >= m.restartFrom; i--) {
                if (in.observed().get(i).mayBeUp()) {
                    return new Step.Stop(i);
                }
            }
            m.restartFrom = -1;
        }
        for (int i = 0; i < p.size(); i++) {
            if (in.observed().get(i) != Observed.ACTIVE) {
                if (m.activity == ActivityProto.ACTIVITY_ACTIVE) {
                    // Found down on its own (a fenced probe port, say): bring it back, reported as starting.
                    m.activity = ActivityProto.ACTIVITY_STARTING;
                }
                m.attempted = Math.max(m.attempted, i);
                return new Step.Start(i, m.epoch);
            }
        }
        if (m.activity != ActivityProto.ACTIVITY_ACTIVE) {
            m.activity = ActivityProto.ACTIVITY_ACTIVE;
            m.restarting = false;
            m.probeCount = in.probesSeen();
            m.probeChangedNanos = now;
            if (!m.degraded) {
                m.message = "";
            }
        }
        return new Step.Idle(probeWait(p, m, in));
    }

    /**
     * A failed monitor while active: a restart step, or null when there is nothing to do (no verdict
     * failed, or on_failure keep left the group up, degraded). May instead mark the epoch failed,
     * after which the caller's next step stops everything.
     */
    private static Step recover(PlanPolicy p, GroupMemory m, PlanInput in) {
        long now = in.nowNanos();
        int failed = -1;
        for (int i = 0; i < p.size() && failed < 0; i++) {
            if (m.resources.get(i).verdict == Verdict.FAILED) {
                failed = i;
            }
        }
        if (failed < 0) {
            if (m.degraded) {
                m.degraded = false;
                m.message = "";
            }
            return null;
        }
        MonitorSpec spec = p.monitor(failed);
        ResourceMemory r = m.resources.get(failed);
        String name = p.names().get(failed);
        r.pruneRestarts(now - spec.restartWithinNanos());
        if (r.restarts.size() < spec.restartMax()) {
            r.restarts.addLast(now);
            r.restartsTotal++;
            m.restartFrom = failed;
            m.restarting = true;
            m.activity = ActivityProto.ACTIVITY_STARTING;
            m.message = "restarting " + name + " (" + r.restarts.size() + " of " + spec.restartMax() + " within "
                    + show(spec.restartWithinNanos()) + "): " + r.lastError;
            return null;
        }
        String why = name + ": monitor failed (" + r.lastError + "); " + (spec.restartMax() == 0
                ? "no local restart allowed"
                : spec.restartMax() + " restart" + (spec.restartMax() == 1 ? "" : "s") + " within "
                        + show(spec.restartWithinNanos()) + " used up");
        if (p.keepOnFailure()) {
            if (!m.degraded) {
                m.degraded = true;
                m.message = why + "; on_failure keep: left running";
            }
            return null;
        }
        m.failedEpoch = m.epoch;
        m.monitorFailed = true;
        m.message = why;
        return whileNotWanted(p, m, in);
    }

    /** Keeps the probe-wait warning current; returns when to look again. */
    private static long probeWait(PlanPolicy p, GroupMemory m, PlanInput in) {
        if (p.probeIndex() < 0 || p.probeWaitNanos() == 0 || in.probesSeen() < 0) {
            return Long.MAX_VALUE;
        }
        long now = in.nowNanos();
        if (in.probesSeen() != m.probeCount) {
            m.probeCount = in.probesSeen();
            m.probeChangedNanos = now;
            m.warnings.removeIf(w -> w.startsWith(PROBE_WAIT));
        } else if (now - m.probeChangedNanos >= p.probeWaitNanos()
                && m.warnings.stream().noneMatch(w -> w.startsWith(PROBE_WAIT))) {
            m.warnings.add(PROBE_WAIT + ": no health check from the load balancer for " + show(p.probeWaitNanos())
                    + " (probe_wait): check the load balancer's target group and health check");
        }
        return m.probeChangedNanos + p.probeWaitNanos();
    }

    /** The prefix of the warning, and of its events. */
    public static final String PROBE_WAIT = "probe-wait";

    // ---- not wanted ----

    private static Step whileNotWanted(PlanPolicy p, GroupMemory m, PlanInput in) {
        long now = in.nowNanos();
        m.warnings.removeIf(w -> w.startsWith(PROBE_WAIT));
        m.degraded = false;
        m.restartFrom = -1;
        if (m.stopFailed) {
            if (m.stopGaveUpAtClears >= 0) {
                if (clears(in) == m.stopGaveUpAtClears) {
                    return new Step.Idle(Long.MAX_VALUE);
                }
                // An operator cleared the group: try again, as many times as before.
                m.stopGaveUpAtClears = -1;
                m.failedStopPasses = 0;
                m.warnings.removeIf(w -> w.startsWith(STOP_STUCK));
            } else if (now < m.nextStopRetryNanos) {
                return new Step.Idle(m.nextStopRetryNanos);
            }
            return beginDeactivation(p, m, in);
        }
        boolean up = m.activity == null || m.activity == ActivityProto.ACTIVITY_ACTIVE
                || m.activity == ActivityProto.ACTIVITY_STARTING || m.activity == ActivityProto.ACTIVITY_STOPPING
                || in.observed().stream().anyMatch(Observed::mayBeUp);
        if (up) {
            return beginDeactivation(p, m, in);
        }
        release(m, in);
        return new Step.Idle(Long.MAX_VALUE);
    }

    private static Step beginDeactivation(PlanPolicy p, GroupMemory m, PlanInput in) {
        // Everything after a daemon start, a failed stop or a full activation (stops are idempotent);
        // a rollback stops only what it tried to start and whatever looks up.
        boolean all = m.activity == null || m.stopFailed || m.activity == ActivityProto.ACTIVITY_ACTIVE
                || m.activity == ActivityProto.ACTIVITY_STOPPING;
        m.pendingStops = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (int i = 0; i < p.size(); i++) {
            if (all || i <= m.attempted || in.observed().get(i).mayBeUp()) {
                m.pendingStops.add(i);
            }
        }
        m.attempted = -1;
        m.stopFailures.clear();
        if (m.activity == ActivityProto.ACTIVITY_ACTIVE || m.activity == ActivityProto.ACTIVITY_STARTING) {
            m.activity = ActivityProto.ACTIVITY_STOPPING;
        }
        return continueDeactivation(p, m, in);
    }

    private static Step continueDeactivation(PlanPolicy p, GroupMemory m, PlanInput in) {
        if (!m.pendingStops.isEmpty()) {
            return new Step.Stop(m.pendingStops.first());
        }
        m.pendingStops = null;
        boolean wasStuck = m.stopFailed;
        if (!m.stopFailures.isEmpty()) {
            // Something may still be up: STOPPING (never FAILED, which would let the controller start
            // the group elsewhere, nor released); the stop is retried.
            m.activity = ActivityProto.ACTIVITY_STOPPING;
            m.stopFailed = true;
            m.nextStopRetryNanos = in.nowNanos() + STOP_RETRY_NANOS;
            String failures = "stop failed: " + String.join("; ", m.stopFailures);
            m.message = m.failedEpoch == m.epoch && !m.message.isEmpty() && !wasStuck ? m.message + "; " + failures
                    : failures;
            stopFailedWarnings(m, in);
            return new Step.Idle(m.stopGaveUpAtClears >= 0 ? Long.MAX_VALUE : m.nextStopRetryNanos);
        }
        m.stopFailed = false;
        m.failedStopPasses = 0;
        m.stopGaveUpAtClears = -1;
        m.warnings.removeIf(w -> w.startsWith(STOP_FAILED) || w.startsWith(STOP_STUCK));
        if (m.failedEpoch == m.epoch && m.failedEpoch >= 0) {
            // Reported FAILED only now that nothing is up: the controller may start it elsewhere.
            m.activity = ActivityProto.ACTIVITY_FAILED;
            if (wasStuck) {
                m.message = m.message.replaceFirst("^.*stop failed: ", "stopped after a failed stop: ");
            }
        } else {
            m.activity = ActivityProto.ACTIVITY_INACTIVE;
            m.message = "";
            m.monitorFailed = false;
        }
        release(m, in);
        return new Step.Idle(Long.MAX_VALUE);
    }

    /**
     * A failed stop is an event and a status line (the warning, whose first appearance the core turns
     * into a {@code stop-failed} event); after {@link #STOP_TRIES} in a row, a second one says the
     * group needs an operator, and the plan stops retrying until the group's clear count grows.
     */
    private static void stopFailedWarnings(GroupMemory m, PlanInput in) {
        m.failedStopPasses++;
        String first = m.stopFailures.get(0);
        String line = first.strip().lines().reduce((a, b) -> b).orElse("");
        String head = first.strip().lines().findFirst().orElse("");
        String what = head.equals(line) ? head : head + " ... " + line;
        m.warnings.removeIf(w -> w.startsWith(STOP_FAILED));
        m.warnings.add(STOP_FAILED + ": " + what);
        if (m.failedStopPasses >= STOP_TRIES && m.stopGaveUpAtClears < 0) {
            m.stopGaveUpAtClears = clears(in);
            String group = in.local() == null ? "GROUP" : in.local().name();
            m.warnings.add(STOP_STUCK + ": " + STOP_TRIES + " stops in a row failed; something may still be up, so"
                    + " the group stays here: fix the stop, then 'batonctl clear " + group + "' to retry");
        }
    }

    private static long clears(PlanInput in) {
        return in.local() == null ? 0 : in.local().clears();
    }

    private static void release(GroupMemory m, PlanInput in) {
        if (m.activity != ActivityProto.ACTIVITY_INACTIVE && m.activity != ActivityProto.ACTIVITY_FAILED) {
            return;
        }
        long releasable = AgentRules.releasable(in.node(), in.local(), false);
        if (releasable >= 0 && m.releasedEpoch != releasable) {
            m.epoch = releasable;
            m.releasedEpoch = releasable;
        }
    }

    static String show(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
