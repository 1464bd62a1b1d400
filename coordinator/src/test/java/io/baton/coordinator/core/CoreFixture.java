package io.baton.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClearFailures;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.ForceActivate;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Grant;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.MoveGroup;
import io.baton.proto.NodeLiveness;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ReplicaUpdate;
import io.baton.proto.ResultCode;
import io.baton.proto.Revoke;
import io.baton.proto.SetMaintenance;
import io.baton.proto.SetNodeStandby;
import io.baton.proto.StartGroup;
import io.baton.proto.StopGroup;
import java.util.List;

/**
 * A core, a state and a log index, for unit tests (public so that the agent tests can build group
 * states too). Topology: server1, server2 (data), witness; groups web [server1, server2] and
 * db [server2, server1] with autostart, batch [server1] without.
 */
public final class CoreFixture {
    public static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                    new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true),
                    new Topology.GroupSpec("db", List.of("server2", "server1"), true),
                    new Topology.GroupSpec("batch", List.of("server1"), false)));

    public final Core core;
    public final ClusterState state;
    private long index;
    private long wallMs = 1_000;
    private long seq;

    public CoreFixture() {
        this(TOPOLOGY);
    }

    public CoreFixture(Topology topology) {
        this(topology, false);
    }

    /** A core that, like a TLS cluster's, wants a caller on every operator's command. */
    public CoreFixture(Topology topology, boolean callersRequired) {
        core = new Core(topology, callersRequired);
        state = ClusterState.initial(topology);
    }

    public long lastIndex() {
        return index;
    }

    public long nextWallMs() {
        return wallMs + 1;
    }

    /** Moves the proposers' wall clock: the next command is stamped {@code ms} later than it would have been. */
    public void advanceWallMs(long ms) {
        wallMs += ms;
    }

    /** The last event recorded. */
    public io.baton.proto.Event lastEvent() {
        List<io.baton.proto.Event> events = state.events();
        return events.get(events.size() - 1);
    }

    /** The kinds of the events recorded after the first {@code skip}, in order. */
    public List<String> kindsSince(int skip) {
        return state.events().stream().skip(skip).map(io.baton.proto.Event::getKind).toList();
    }

    public CommandResult apply(Command command) {
        wallMs++;
        return core.apply(state, command.toBuilder().setWallTimeMs(wallMs).build(), ++index);
    }

    /** The log index of the last command applied. */
    public long index() {
        return index;
    }

    /** Applies and asserts OK. */
    public CommandResult ok(Command command) {
        CommandResult r = apply(command);
        assertEquals(ResultCode.RESULT_OK, r.getCode(), () -> "refused: " + r.getMessage());
        return r;
    }

    /** Applies, asserts the refusal code, that the message names each of {@code mentions}, and that nothing changed. */
    public CommandResult refused(Command command, ResultCode code, String... mentions) {
        ClusterStateProto before = StateCodec.toProto(state);
        CommandResult r = apply(command);
        assertEquals(code, r.getCode(), () -> "result: " + r);
        for (String m : mentions) {
            assertTrue(r.getMessage().contains(m), () -> "message '" + r.getMessage() + "' should mention '" + m + "'");
        }
        assertEquals(before, StateCodec.toProto(state), "a refusal must change nothing");
        return r;
    }

    /** A heartbeat with the next sequence number of incarnation 1. */
    public CommandResult beat(String node, GroupReport... reports) {
        return ok(heartbeat(node, 1, ++seq, reports));
    }

    /** Every node heartbeats once (so all are alive). */
    public void allAlive() {
        for (Topology.NodeSpec n : core.topology().nodes()) {
            beat(n.id());
        }
    }

    public GroupState group(String name) {
        return state.groups.get(name);
    }

    public NodeState node(String id) {
        return state.nodes.get(id);
    }

    /** web granted to server1 at epoch 1 and reported active: ONLINE. */
    public void webOnlineOnServer1() {
        allAlive();
        ok(grant("web", "server1", group("web").epoch));
        beat("server1", report("web", group("web").epoch, ActivityProto.ACTIVITY_ACTIVE));
    }

    /**
     * A Grant of {@code group} to {@code node} as the controller decides it on the current state: at the
     * group's epoch and, if the group has an owner, with that owner's last heartbeat (incarnation, seq).
     */
    public Command decidedGrant(String group, String node) {
        GroupState g = group(group);
        NodeState owner = g.owner == null ? null : node(g.owner);
        return owner == null ? grant(group, node, g.epoch) : grant(group, node, g.epoch, owner.incarnation, owner.seq);
    }

    /** A Revoke of {@code group} as the controller decides it on the current state (see {@link #decidedGrant}). */
    public Command decidedRevoke(String group) {
        GroupState g = group(group);
        NodeState owner = g.owner == null ? null : node(g.owner);
        return owner == null ? revoke(group, g.epoch) : revoke(group, g.epoch, owner.incarnation, owner.seq);
    }

    // ---- command builders ----

    public static Command heartbeat(String node, long incarnation, long seq, GroupReport... reports) {
        return Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(node)
                .setIncarnation(incarnation).setSeq(seq).addAllReports(List.of(reports))).build();
    }

    public static GroupReport report(String group, long epoch, ActivityProto activity) {
        return GroupReport.newBuilder().setGroup(group).setEpoch(epoch).setActivity(activity).build();
    }

    /** The owner stopped {@code group} because a monitor failed and its restarts were used up. */
    public static GroupReport monitorFailed(String group, long epoch, String message) {
        return GroupReport.newBuilder().setGroup(group).setEpoch(epoch).setActivity(ActivityProto.ACTIVITY_FAILED)
                .setMonitorFailed(true).setMessage(message).build();
    }

    public static GroupReport released(String group, long epoch) {
        return GroupReport.newBuilder().setGroup(group).setEpoch(epoch)
                .setActivity(ActivityProto.ACTIVITY_INACTIVE).setReleased(true).build();
    }

    /** A Grant decided on a group with no owner (or one that names no owner's heartbeat). */
    public static Command grant(String group, String node, long expectedEpoch) {
        return Command.newBuilder().setGrant(Grant.newBuilder().setGroup(group).setNode(node)
                .setExpectedEpoch(expectedEpoch).setReason("test grant")).build();
    }

    /** A takeover Grant decided when the owner's last heartbeat was ({@code ownerIncarnation}, {@code ownerSeq}). */
    public static Command grant(String group, String node, long expectedEpoch, long ownerIncarnation, long ownerSeq) {
        return Command.newBuilder().setGrant(Grant.newBuilder().setGroup(group).setNode(node)
                .setExpectedEpoch(expectedEpoch).setOwnerIncarnation(ownerIncarnation).setOwnerSeq(ownerSeq)
                .setReason("test grant")).build();
    }

    /** A Revoke decided on a group with no owner (or one that names no owner's heartbeat). */
    public static Command revoke(String group, long expectedEpoch) {
        return Command.newBuilder().setRevoke(Revoke.newBuilder().setGroup(group)
                .setExpectedEpoch(expectedEpoch).setReason("test revoke")).build();
    }

    /** A Revoke decided when the owner's last heartbeat was ({@code ownerIncarnation}, {@code ownerSeq}). */
    public static Command revoke(String group, long expectedEpoch, long ownerIncarnation, long ownerSeq) {
        return Command.newBuilder().setRevoke(Revoke.newBuilder().setGroup(group)
                .setExpectedEpoch(expectedEpoch).setOwnerIncarnation(ownerIncarnation).setOwnerSeq(ownerSeq)
                .setReason("test revoke")).build();
    }

    public static Command move(String group, String to) {
        return Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(group).setTo(to)).build();
    }

    public static Command start(String group, String on) {
        return Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(group).setOn(on)).build();
    }

    public static Command stop(String group) {
        return Command.newBuilder().setStop(StopGroup.newBuilder().setGroup(group)).build();
    }

    /** {@code proposer}'s record, under {@code epoch}, of {@code node}'s replica of {@code group}. */
    public static Command replicaUpdate(String group, String node, ReplicaStateProto state, String proposer, long epoch) {
        return Command.newBuilder().setReplicaUpdate(ReplicaUpdate.newBuilder().setGroup(group).setNode(node)
                .setState(state).setProposer(proposer).setEpoch(epoch)).build();
    }

    public static Command forceActivate(String group, String on) {
        return Command.newBuilder().setForceActivate(ForceActivate.newBuilder().setGroup(group).setOn(on)).build();
    }

    /** Maintenance of {@code group}, or of every group when it is empty. */
    public static Command maintenance(String group, boolean on) {
        return Command.newBuilder().setSetMaintenance(SetMaintenance.newBuilder().setGroup(group).setOn(on)).build();
    }

    public static Command standby(String node, boolean standby) {
        return Command.newBuilder().setNodeStandby(SetNodeStandby.newBuilder().setNode(node).setStandby(standby)).build();
    }

    /** Clears the failures of {@code group} on {@code node}, or on every node when it is empty. */
    public static Command clear(String group, String node) {
        return Command.newBuilder().setClearFailures(ClearFailures.newBuilder().setGroup(group).setNode(node)).build();
    }

    public static Command liveness(String node, boolean alive) {
        return Command.newBuilder().setLiveness(NodeLiveness.newBuilder().setNode(node).setAlive(alive)).build();
    }
}
