package io.baton.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Topology;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Grant;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.Incarnate;
import io.baton.proto.MoveGroup;
import io.baton.proto.ResultCode;
import io.baton.proto.Revoke;
import io.baton.proto.StartGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The replicated state as one agent sees it, without Raft: the real {@link Core} applies real
 * commands, in order, to one {@link ClusterState}. The agent reads it as its local replica (which a
 * test can hold back at a copy, as a lagging follower) and commits its heartbeats to it; a test can
 * make heartbeats fail as a client call does when no leader with a quorum commits them in time.
 *
 * <p>Topology: data nodes server1 and server2, a witness; groups web [server1, server2] and
 * db [server2, server1], both with autostart.
 */
final class FakeCluster implements LocalState, HeartbeatSender {
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                    new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true),
                    new Topology.GroupSpec("db", List.of("server2", "server1"), true)));

    private final Core core = new Core(TOPOLOGY);
    private final ClusterState state = ClusterState.initial(TOPOLOGY);
    private ClusterState lagging;
    private long index;
    private long wallMs = 1_000;
    /** The (incarnation, seq) of each node's last applied heartbeat, as the controller would decide on. */
    private final Map<String, long[]> lastHeartbeat = new HashMap<>();
    private final Map<String, Long> otherSeq = new HashMap<>();
    private final List<Heartbeat> sent = new ArrayList<>();
    private final List<Incarnate> incarnates = new ArrayList<>();
    private final Map<String, Long> boots = new HashMap<>();
    private final List<Duration> timeouts = new ArrayList<>();
    private RuntimeException heartbeatFailure;

    // ---- the seams ----

    @Override
    public synchronized <T> T read(Function<ClusterState, T> reader) {
        return reader.apply(lagging != null ? lagging : state);
    }

    @Override
    public synchronized CompletableFuture<CommandResult> send(Command heartbeat, Duration timeout) {
        if (heartbeat.hasIncarnate()) {
            incarnates.add(heartbeat.getIncarnate());
        } else {
            sent.add(heartbeat.getHeartbeat());
            timeouts.add(timeout);
        }
        if (heartbeatFailure != null) {
            return CompletableFuture.failedFuture(heartbeatFailure);
        }
        return CompletableFuture.completedFuture(apply(heartbeat));
    }

    // ---- what the test does to the cluster ----

    /** Heartbeats (and Incarnates) sent from now on fail as a timed-out client call does (nothing is applied). */
    synchronized void failHeartbeats() {
        heartbeatFailure = new CompletionException(new TimeoutException("no quorum"));
    }

    synchronized void commitHeartbeats() {
        heartbeatFailure = null;
    }

    /** From now on the agent reads a copy of the state as it is now, as a follower that lags behind. */
    synchronized void holdReplicaBack() {
        lagging = state.copy();
    }

    synchronized void catchUpReplica() {
        lagging = null;
    }

    /** Applies {@code command} at the next log index and asserts that the core accepted it. */
    synchronized CommandResult ok(Command command) {
        CommandResult r = apply(command);
        assertEquals(ResultCode.RESULT_OK, r.getCode(), () -> "refused: " + r.getMessage());
        return r;
    }

    private CommandResult apply(Command command) {
        Command c = command.toBuilder().setWallTimeMs(++wallMs).build();
        CommandResult r = core.apply(state, c, ++index);
        if (c.hasIncarnate() && r.getCode() == ResultCode.RESULT_OK) {
            // As in the core: no heartbeat of the new incarnation yet (a retry changes nothing).
            Long before = boots.put(c.getIncarnate().getNode(), c.getIncarnate().getBoot());
            if (before == null || before != c.getIncarnate().getBoot()) {
                lastHeartbeat.put(c.getIncarnate().getNode(), new long[2]);
            }
        }
        if (c.hasHeartbeat() && r.getCode() == ResultCode.RESULT_OK) {
            Heartbeat hb = c.getHeartbeat();
            long[] last = lastHeartbeat.get(hb.getNode());
            if (last == null || hb.getIncarnation() > last[0] || (hb.getIncarnation() == last[0] && hb.getSeq() > last[1])) {
                lastHeartbeat.put(hb.getNode(), new long[] {hb.getIncarnation(), hb.getSeq()});
            }
        }
        return r;
    }

    /** A heartbeat of another node (incarnation 1), so that it is alive and can report. */
    synchronized CommandResult heartbeatOf(String node, GroupReport... reports) {
        long seq = otherSeq.merge(node, 1L, Long::sum);
        return ok(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1)
                .setSeq(seq).addAllReports(List.of(reports))).build());
    }

    /** The controller's Grant of {@code group} to {@code node}, decided on the state as it is now. */
    synchronized CommandResult grant(String group, String node) {
        GroupState g = group(group);
        Grant.Builder b = Grant.newBuilder().setGroup(group).setNode(node).setExpectedEpoch(g.epoch())
                .setReason("test grant");
        if (g.owner() != null) {
            long[] last = lastHeartbeat.getOrDefault(g.owner(), new long[2]);
            b.setOwnerIncarnation(last[0]).setOwnerSeq(last[1]);
        }
        return ok(Command.newBuilder().setGrant(b).build());
    }

    /** The controller's Revoke of {@code group}, decided on the state as it is now. */
    synchronized CommandResult revoke(String group) {
        GroupState g = group(group);
        Revoke.Builder b = Revoke.newBuilder().setGroup(group).setExpectedEpoch(g.epoch()).setReason("test revoke");
        if (g.owner() != null) {
            long[] last = lastHeartbeat.getOrDefault(g.owner(), new long[2]);
            b.setOwnerIncarnation(last[0]).setOwnerSeq(last[1]);
        }
        return ok(Command.newBuilder().setRevoke(b).build());
    }

    synchronized CommandResult move(String group, String to) {
        return ok(Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(group).setTo(to)).build());
    }

    synchronized CommandResult start(String group, String on) {
        return ok(Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(group).setOn(on)).build());
    }

    // ---- what the test looks at ----

    /** The committed state of {@code group} (a copy). */
    synchronized GroupState group(String name) {
        return state.groupCopy(name).orElseThrow();
    }

    /** Every heartbeat the agent sent, committed or not, oldest first. */
    synchronized List<Heartbeat> sent() {
        return List.copyOf(sent);
    }

    /** Every Incarnate the agent sent, committed or not, oldest first. */
    synchronized List<Incarnate> incarnates() {
        return List.copyOf(incarnates);
    }

    /** Applies {@code command} at the next log index, whatever the core answers. */
    synchronized CommandResult applyAny(Command command) {
        return apply(command);
    }

    synchronized Heartbeat lastSent() {
        return sent.get(sent.size() - 1);
    }

    synchronized List<Duration> timeouts() {
        return List.copyOf(timeouts);
    }

    static GroupReport reportOf(Heartbeat hb, String group) {
        return hb.getReportsList().stream().filter(r -> r.getGroup().equals(group)).findFirst().orElseThrow();
    }
}
