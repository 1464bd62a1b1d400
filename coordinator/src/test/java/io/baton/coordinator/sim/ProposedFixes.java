package io.baton.coordinator.sim;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.GroupState;
import io.baton.proto.Command;
import io.baton.proto.Heartbeat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * NOT Baton behaviour: the harness's stand-in for the fixes of two real bugs the simulation found in
 * the core's validation of controller decisions, so that the main run can go on checking everything
 * else. Each is a flag; remove them once the core is fixed. See KnownRacesTest for the unit-level
 * reproductions and SimulationTest for failing seeds without them.
 *
 * <p>Both bugs have the same shape: the controller decides from the leader's applied state, the
 * decision commits a few entries later, and the core validates it only by its expected epoch, which
 * some intervening commands do not change.
 *
 * <ol>
 *   <li><b>Takeover race</b> ({@link #ownerHeartbeat}): a takeover {@code Grant} or a {@code Revoke}
 *       is decided because the owner's lease ran out, but a heartbeat of that owner already in the Raft
 *       pipeline commits just before it. The heartbeat's result confirms the owner's grant at epoch e
 *       from a fresh send time; the Grant still expects e and is accepted: the old owner holds a live
 *       lease on e while the new owner gets e+1 (S1 and S3 violations).
 *       Proposed fix: Grant/Revoke also carry the owner's heartbeat (incarnation, seq) of the state they
 *       were decided on; the core refuses them as STALE if the owner has a newer one. Emulated here:
 *       refuse a controller Grant/Revoke of an owned group whose owner had a newer heartbeat committed
 *       after the decision's log index.
 *   <li><b>Lost stop</b> ({@link #grantRespectsStop}): an automatic-start or takeover {@code Grant} is
 *       decided, an operator's {@code Stop} commits first (it does not change the epoch), and the Grant
 *       is still accepted: the stopped group is started again (or handed to another node) although
 *       the operator was told it is stopping. Proposed fix: the core refuses a Grant of an
 *       admin-stopped group as STALE (operators start stopped groups with Start/Move, not Grant).
 * </ol>
 */
final class ProposedFixes {
    /**
     * @param ownerHeartbeat    emulate the fix of the takeover race
     * @param grantRespectsStop emulate the fix of the lost stop
     */
    record Flags(boolean ownerHeartbeat, boolean grantRespectsStop) {
        static final Flags BOTH = new Flags(true, true);
        static final Flags NONE = new Flags(false, false);

        /** From {@code -Dsim.fixes=both|none|heartbeat|stop} (default both): which fixes to emulate. */
        static Flags fromSystemProperty() {
            String v = System.getProperty("sim.fixes", "both");
            return switch (v) {
                case "both" -> BOTH;
                case "none" -> NONE;
                case "heartbeat" -> new Flags(true, false);
                case "stop" -> new Flags(false, true);
                default -> throw new IllegalArgumentException("sim.fixes=" + v + ": both, none, heartbeat or stop");
            };
        }
    }

    private final Flags flags;
    private final ClusterState committed;
    /** Per node: the (incarnation, seq) of its newest committed heartbeat, and that commit's log index. */
    private final Map<String, long[]> newest = new TreeMap<>();

    ProposedFixes(Flags flags, ClusterState committed) {
        this.flags = flags;
        this.committed = committed;
    }

    /** Why the fixed core would refuse this controller decision (decided at log index {@code decidedAt}), if it would. */
    Optional<String> refusal(Command c, long decidedAt) {
        if (decidedAt < 0 || !(c.hasGrant() || c.hasRevoke())) {
            return Optional.empty();
        }
        String group = c.hasGrant() ? c.getGrant().getGroup() : c.getRevoke().getGroup();
        GroupState g = committed.group(group).orElse(null);
        if (g == null) {
            return Optional.empty();
        }
        long[] last = g.owner() == null ? null : newest.get(g.owner());
        if (flags.ownerHeartbeat() && last != null && last[2] > decidedAt) {
            return Optional.of("owner " + g.owner() + " heartbeated after the decision");
        }
        if (flags.grantRespectsStop() && c.hasGrant() && g.adminStopped()) {
            return Optional.of("group " + group + " was stopped after the decision");
        }
        return Optional.empty();
    }

    void committed(Command c, long index) {
        if (!c.hasHeartbeat()) {
            return;
        }
        Heartbeat hb = c.getHeartbeat();
        long[] last = newest.get(hb.getNode());
        if (last == null || hb.getIncarnation() > last[0] || (hb.getIncarnation() == last[0] && hb.getSeq() > last[1])) {
            newest.put(hb.getNode(), new long[] {hb.getIncarnation(), hb.getSeq(), index});
        }
    }
}
