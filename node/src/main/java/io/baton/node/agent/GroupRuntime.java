package io.baton.node.agent;

import io.baton.coordinator.agent.GroupMemory;
import io.baton.coordinator.agent.PlanPolicy;
import io.baton.coordinator.agent.ResourceMemory;
import io.baton.node.mirror.MirrorDiskResource;
import io.baton.proto.ActivityProto;
import io.baton.proto.GroupReport;
import io.baton.proto.MonitorReport;
import io.baton.proto.ResourceReport;
import io.baton.resources.Resource;
import io.baton.resources.ResourceState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One group on this node: its resource drivers, their monitors, the plan's policy, and the plan's
 * memory. The memory is read and changed only under the agent's lock.
 */
public final class GroupRuntime {
    final String group;
    /** In activation order: the probe port, when present, is last. */
    final List<Resource> resources;
    /**
     * One per resource: its monitor, or null. Replaced with {@link #policy} under the agent's lock when
     * an applied configuration changes only monitors or the group's policy ({@code NodeAgent.retune}); a
     * monitor's loop reads its entry at every check, so a new interval applies from the next one.
     */
    volatile List<ResourceMonitor> monitors;
    volatile PlanPolicy policy;
    /** Guarded by the agent's lock. */
    final GroupMemory memory;
    /** Set when the agent dropped or replaced this runtime: its monitor loops end. */
    volatile boolean retired;

    /** A group whose resources have no monitors (no probe-wait either). */
    GroupRuntime(String group, List<Resource> resources) {
        this(group, resources, Collections.nCopies(resources.size(), null),
                PlanPolicy.plain(resources.stream().map(Resource::name).toList(), probeIndex(resources)));
    }

    public GroupRuntime(String group, List<Resource> resources, List<ResourceMonitor> monitors, PlanPolicy policy) {
        this.group = group;
        this.resources = List.copyOf(resources);
        this.monitors = Collections.unmodifiableList(new ArrayList<>(monitors));
        this.policy = policy;
        this.memory = new GroupMemory(policy);
        if (this.monitors.size() != this.resources.size() || policy.size() != this.resources.size()) {
            throw new IllegalArgumentException("group " + group + ": one monitor entry and one policy entry per resource");
        }
    }

    /**
     * Takes {@code other}'s monitors and policy, which must be of the same resources with the same
     * resources monitored (the memory keeps its per-resource state); under the agent's lock.
     */
    void retune(GroupRuntime other) {
        if (!other.policy.names().equals(policy.names())) {
            throw new IllegalArgumentException("group " + group + ": its resources changed, not only their monitors");
        }
        for (int i = 0; i < monitors.size(); i++) {
            if ((other.monitors.get(i) == null) != (monitors.get(i) == null)
                    || (other.policy.monitor(i) == null) != (policy.monitor(i) == null)) {
                throw new IllegalArgumentException("group " + group + ": a monitor was added or removed");
            }
        }
        this.monitors = other.monitors;
        this.policy = other.policy;
    }

    /** The probe port's index: the last resource, if it is one. */
    static int probeIndex(List<Resource> resources) {
        int last = resources.size() - 1;
        return last >= 0 && resources.get(last).type().equals("probe_port") ? last : -1;
    }

    /** Closes every listener at once: the first thing done when the lease is about to run out. */
    void fence() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).fence();
        }
    }

    /** Before a planned stop: probe ports close at once, the disk stays writable until it is unmounted. */
    void quiesce() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).quiesce();
        }
    }

    /** What this node reports of the group; under the agent's lock. */
    /** Whether a resource of the group is a mirror disk, whose state changes on its own (the link, a resync). */
    boolean hasMirrorDisk() {
        return resources.stream().anyMatch(r -> r instanceof MirrorDiskResource);
    }

    GroupReport report(boolean maintenance) {
        GroupMemory m = memory;
        ActivityProto a = m.activity() == null ? ActivityProto.ACTIVITY_STOPPING : m.activity();
        GroupReport.Builder b = GroupReport.newBuilder().setGroup(group).setEpoch(m.epoch()).setActivity(a)
                .setMessage(m.message()).setReleased(m.released()).setMonitorFailed(m.monitorFailed())
                .setDegraded(m.degraded()).addAllWarnings(m.warnings());
        for (int i = 0; i < resources.size(); i++) {
            Resource r = resources.get(i);
            ResourceState s = r.observe();
            ResourceReport.Builder rb = ResourceReport.newBuilder().setName(r.name()).setType(r.type())
                    .setState(s.status().name().toLowerCase()).setDetail(s.detail() == null ? "" : s.detail());
            if (r instanceof MirrorDiskResource mirror) {
                rb.addAllMirror(mirror.peerReports());
            }
            if (policy.monitor(i) != null) {
                rb.setMonitor(monitorReport(m.resource(i), a, maintenance));
            }
            b.addResources(rb);
        }
        return b.build();
    }

    private static MonitorReport monitorReport(ResourceMemory r, ActivityProto activity, boolean maintenance) {
        String verdict = activity != ActivityProto.ACTIVITY_ACTIVE ? "idle"
                : maintenance ? "suspended" : r.verdict().word();
        return MonitorReport.newBuilder().setVerdict(verdict).setConsecutiveFailures(r.consecutiveFailures())
                .setLastError(r.lastError()).setRestarts(r.restartsInWindow())
                .setFailedChecksTotal(r.failedChecksTotal()).setFailedTotal(r.failedTotal())
                .setRestartsTotal(r.restartsTotal()).build();
    }
}
