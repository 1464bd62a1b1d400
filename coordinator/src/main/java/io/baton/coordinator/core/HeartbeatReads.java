package io.baton.coordinator.core;

import io.baton.proto.Command;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResourceReport;
import java.util.Optional;

/**
 * Which heartbeats need the log. A heartbeat that would change nothing in the replicated state but
 * the node's sequence number and the time of its last heartbeat is answered by the Raft leader as a
 * linearizable read (Ratis's ReadIndex) instead: the answer, the grants the node holds, is what the
 * committed heartbeat would have answered, and the leader notes the node as heard as it does for an
 * applied heartbeat ({@link LeaseConfirmations}). An idle cluster then appends nothing to its log.
 *
 * <p>"Would change nothing" is decided here, from the state and the heartbeat alone (pure). One
 * relaxation: the resources' human {@code detail} text (a probe port's count of health checks) is
 * not compared; the agent refreshes it through the log now and then.
 */
public final class HeartbeatReads {
    private HeartbeatReads() {
    }

    /**
     * Why {@code cmd}, a heartbeat, must be committed rather than confirmed by a read at
     * {@code readIndex}; empty when applying it there would change nothing that counts.
     */
    static Optional<String> whyWrite(Topology topology, ClusterState s, Command cmd, long readIndex) {
        Heartbeat hb = cmd.getHeartbeat();
        NodeState n = s.nodes.get(hb.getNode());
        if (n == null) {
            return Optional.of("unknown node '" + hb.getNode() + "'");
        }
        if (n.assignedIncarnation == 0 || hb.getIncarnation() != n.assignedIncarnation
                || hb.getIncarnation() != n.incarnation) {
            return Optional.of("incarnation " + hb.getIncarnation() + " has no heartbeat in the log yet");
        }
        if (!n.alive) {
            return Optional.of("node '" + n.id + "' is down in the state");
        }
        if (hb.getCertificateNotAfterMs() != n.certificateNotAfterMs || hb.getCaNotAfterMs() != n.caNotAfterMs) {
            return Optional.of("its certificates changed");
        }
        if (s.protocolVersion() >= Protocol.CONFIG_HASH && !hb.getConfigHash().equals(n.configHash)) {
            return Optional.of("its cluster file changed");
        }
        if (s.protocolVersion() >= Protocol.CONFIG_APPLY && hb.getConfigVersion() != n.configVersion) {
            return Optional.of("the configuration version it runs by changed");
        }
        if (hb.getProtocolVersion() != n.protocolSupported) {
            return Optional.of("the protocol versions it speaks changed");
        }
        ReplicaLag.Observed lag = ReplicaLag.observe(n.lag, hb.getAppliedIndex(), readIndex);
        if (lag.change() != ReplicaLag.Change.NONE || lag.state().behind() != n.lag.behind()
                || lag.state().laggingInARow() != n.lag.laggingInARow()) {
            return Optional.of("its replica's lag changed");
        }
        for (GroupReport r : hb.getReportsList()) {
            GroupState g = s.groups.get(r.getGroup());
            boolean member = topology.group(r.getGroup()).map(spec -> spec.members().contains(n.id)).orElse(false);
            if (g == null || !member) {
                continue; // the log would ignore it too
            }
            GroupReport stored = g.reports.get(n.id);
            if (stored == null || !(stored.equals(r) || significant(stored).equals(significant(r)))) {
                return Optional.of("its report of group '" + g.name + "' changed");
            }
            if (n.id.equals(g.owner) && r.getEpoch() == g.epoch && !Core.settled(g.phase, r)) {
                return Optional.of("its report moves group '" + g.name + "' on from " + g.phase);
            }
        }
        if (Core.failuresExpire(topology, s, cmd.getWallTimeMs())) {
            return Optional.of("a failure record expires");
        }
        return Optional.empty();
    }

    /**
     * {@code r} without what changes as a matter of course and decides nothing: each resource's
     * human {@code detail}. Agents compare reports this way too, to choose a read or a write.
     */
    public static GroupReport significant(GroupReport r) {
        GroupReport.Builder b = r.toBuilder();
        for (ResourceReport.Builder res : b.getResourcesBuilderList()) {
            res.clearDetail();
        }
        return b.build();
    }
}
