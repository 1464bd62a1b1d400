package io.baton.node.agent;

import io.baton.proto.ActivityProto;
import io.baton.proto.GroupReport;
import io.baton.node.mirror.MirrorDiskResource;
import io.baton.proto.ResourceReport;
import io.baton.resources.Resource;
import io.baton.resources.ResourceState;
import java.util.List;

/**
 * One group's resources on this node and what the agent last did with them. Written by the
 * reconcile thread only; read (for reports) by the heartbeat thread, hence the volatile fields.
 */
public final class GroupRuntime {
    final String group;
    /** In activation order: the probe port, when present, is last. */
    final List<Resource> resources;
    /** UNKNOWN after a daemon start: something may have survived the previous process. */
    volatile ActivityProto activity = null;
    volatile long epoch;
    volatile String message = "";
    volatile long failedEpoch = -1;
    volatile long releasedEpoch = -1;
    /** The last stop failed: resources may be up; retried no more than once a second. */
    volatile boolean stopFailed;
    volatile long nextStopRetryNanos;

    GroupRuntime(String group, List<Resource> resources) {
        this.group = group;
        this.resources = List.copyOf(resources);
    }

    boolean unknown() {
        return activity == null;
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

    GroupReport report() {
        ActivityProto a = activity == null ? ActivityProto.ACTIVITY_STOPPING : activity;
        GroupReport.Builder b = GroupReport.newBuilder().setGroup(group).setEpoch(epoch).setActivity(a)
                .setMessage(message);
        if (releasedEpoch >= 0 && releasedEpoch == epoch && !stopFailed
                && (a == ActivityProto.ACTIVITY_INACTIVE || a == ActivityProto.ACTIVITY_FAILED)) {
            b.setReleased(true);
        }
        for (Resource r : resources) {
            ResourceState s = r.observe();
            ResourceReport.Builder rb = ResourceReport.newBuilder().setName(r.name()).setType(r.type())
                    .setState(s.status().name().toLowerCase()).setDetail(s.detail() == null ? "" : s.detail());
            if (r instanceof MirrorDiskResource mirror) {
                rb.addAllMirror(mirror.peerReports());
            }
            b.addResources(rb);
        }
        return b.build();
    }
}
