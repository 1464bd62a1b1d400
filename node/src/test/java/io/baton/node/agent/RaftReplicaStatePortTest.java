package io.baton.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.Topology;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Grant;
import io.baton.proto.Heartbeat;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The primary's records go through the real core: accepted for the owner at its epoch, refused otherwise. */
class RaftReplicaStatePortTest {
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("a", false), new Topology.NodeSpec("b", false)),
            List.of(new Topology.GroupSpec("disk", List.of("a", "b"), true, true)));

    /** Commits by applying to one state, as the leader would; or fails every command when cut off. */
    private static final class Committed implements CommandSubmitter, LocalState {
        final Core core = new Core(TOPOLOGY);
        final ClusterState state = ClusterState.initial(TOPOLOGY);
        final List<Command> submitted = new ArrayList<>();
        final List<Duration> timeouts = new ArrayList<>();
        long index;
        boolean cutOff;

        @Override
        public synchronized CompletableFuture<CommandResult> submit(Command command, Duration timeout) {
            submitted.add(command);
            timeouts.add(timeout);
            if (cutOff) {
                return CompletableFuture.failedFuture(new CompletionException(new TimeoutException("no leader")));
            }
            return CompletableFuture.completedFuture(core.apply(state, command, ++index));
        }

        @Override
        public synchronized <T> T read(Function<ClusterState, T> reader) {
            return reader.apply(state);
        }

        void apply(Command c) {
            submit(c, Duration.ofSeconds(1)).join();
        }
    }

    private final Committed cluster = new Committed();

    /** Both nodes alive, disk granted to a at epoch 1: a UpToDate, b Inconsistent. */
    private RaftReplicaStatePort primaryOnA() {
        cluster.apply(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode("a").setIncarnation(1).setSeq(1)).build());
        cluster.apply(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode("b").setIncarnation(1).setSeq(1)).build());
        cluster.apply(Command.newBuilder().setGrant(Grant.newBuilder().setGroup("disk").setNode("a").setExpectedEpoch(0)).build());
        return port("a", 1);
    }

    private RaftReplicaStatePort port(String self, long epoch) {
        return new RaftReplicaStatePort("disk", self, epoch, cluster, cluster, Duration.ofSeconds(3), () -> 42L);
    }

    @Test
    void readsCommittedStates() {
        RaftReplicaStatePort port = primaryOnA();
        assertEquals(ReplicaState.UP_TO_DATE, port.committed("a"));
        assertEquals(ReplicaState.INCONSISTENT, port.committed("b"));
        assertEquals(ReplicaState.INCONSISTENT, port.committed("stranger"), "no state: nothing may be assumed");
    }

    @Test
    void recordCompletesOnceCommitted() throws Exception {
        RaftReplicaStatePort port = primaryOnA();
        port.record("b", ReplicaState.UP_TO_DATE).get(1, TimeUnit.SECONDS);
        assertEquals(ReplicaState.UP_TO_DATE, port.committed("b"));
        port.record("b", ReplicaState.OUTDATED).get(1, TimeUnit.SECONDS);
        assertEquals(ReplicaState.OUTDATED, port.committed("b"));
        Command last = cluster.submitted.get(cluster.submitted.size() - 1);
        assertEquals("a", last.getReplicaUpdate().getProposer());
        assertEquals(1, last.getReplicaUpdate().getEpoch());
        assertEquals(42L, last.getWallTimeMs());
        assertEquals(Duration.ofSeconds(3), cluster.timeouts.get(cluster.timeouts.size() - 1));
    }

    @Test
    void aRefusalFailsTheFutureWithTheCoresReason() {
        primaryOnA();
        RaftReplicaStatePort deposed = port("a", 0);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> deposed.record("b", ReplicaState.UP_TO_DATE).get(1, TimeUnit.SECONDS));
        assertInstanceOf(RaftReplicaStatePort.ReplicaStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("refused (RESULT_STALE)"), e.getCause()::getMessage);
        assertTrue(e.getCause().getMessage().contains("only the owner of group 'disk'"), e.getCause()::getMessage);
        assertEquals(ReplicaState.INCONSISTENT, deposed.committed("b"), "nothing changed");
        ExecutionException self = assertThrows(ExecutionException.class,
                () -> port("a", 1).record("a", ReplicaState.OUTDATED).get(1, TimeUnit.SECONDS));
        assertTrue(self.getCause().getMessage().contains("its own replica"), self.getCause()::getMessage);
    }

    @Test
    void aCommandThatDoesNotCommitFailsTheFuture() {
        RaftReplicaStatePort port = primaryOnA();
        cluster.cutOff = true;
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> port.record("b", ReplicaState.OUTDATED).get(1, TimeUnit.SECONDS));
        assertInstanceOf(RaftReplicaStatePort.ReplicaStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("not committed within 3000 ms"), e.getCause()::getMessage);
        assertInstanceOf(TimeoutException.class, e.getCause().getCause());
    }
}
