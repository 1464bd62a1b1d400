package io.baton.coordinator.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The static shape of one group as the agent's plan sees it: its resources in activation order,
 * which of them have a monitor, where the probe port is, and the group's recovery policy.
 *
 * @param names          the resources' names, in activation order
 * @param monitors       one entry per resource: its monitor, or null when it has none
 * @param probeIndex     the probe port's index (the last resource), or -1 when the group has none
 * @param keepOnFailure  {@code on_failure: keep}: a monitor failure with no restart left leaves the
 *                       group running, degraded, instead of stopping it here
 * @param probeWaitNanos warn when the load balancer has sent no health check for this long; 0: never
 */
public record PlanPolicy(List<String> names, List<MonitorSpec> monitors, int probeIndex, boolean keepOnFailure,
                         long probeWaitNanos) {
    public PlanPolicy {
        names = List.copyOf(names);
        monitors = Collections.unmodifiableList(new ArrayList<>(monitors));
        if (monitors.size() != names.size() || probeIndex >= names.size() || probeWaitNanos < 0) {
            throw new IllegalArgumentException("bad plan policy for " + names);
        }
    }

    /** Resources without monitors, no probe-wait: the plan of a group that only starts and stops. */
    public static PlanPolicy plain(List<String> names, int probeIndex) {
        return new PlanPolicy(names, Collections.nCopies(names.size(), null), probeIndex, false, 0);
    }

    public int size() {
        return names.size();
    }

    public MonitorSpec monitor(int i) {
        return monitors.get(i);
    }
}
