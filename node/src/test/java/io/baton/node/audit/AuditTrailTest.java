package io.baton.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.BatonStateMachine;
import io.baton.proto.Command;
import io.baton.proto.Event;
import io.baton.proto.Heartbeat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener and one write step, on a real state machine and a real directory, without the writer
 * thread: the apply thread never waits for the disk, and what neither the queue nor the disk could
 * take is written later, not lost.
 */
class AuditTrailTest {
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                    new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), false)));

    @TempDir
    Path dir;
    private final BatonStateMachine sm = new BatonStateMachine(new Core(TOPOLOGY));
    private long index;

    private AuditTrail trail(int queueSize) {
        AuditTrail trail = new AuditTrail(sm, new EventsFile(dir, 1 << 20, 2, line -> { }), queueSize, () -> 0L);
        sm.addListener(trail);
        return trail;
    }

    @Test
    void aFullQueueLeavesTheEventsInTheStateForALaterApply() throws IOException {
        AuditTrail trail = trail(1);
        apply(heartbeat("server1", 1)); // node-up server1: queued
        apply(heartbeat("server2", 1)); // node-up server2: no room, not waited for
        List<Event> batch = new ArrayList<>();
        assertTrue(trail.write(batch));
        assertEquals(List.of(1L), seqs());
        apply(heartbeat("witness", 1)); // takes node-up server2 from the state (room for one)
        assertTrue(trail.write(batch));
        apply(heartbeat("server1", 2)); // and then node-up witness
        assertTrue(trail.write(batch));
        assertEquals(List.of(1L, 2L, 3L), seqs());
        assertEquals(0, sm.listenerFailures());
        trail.close();
    }

    @Test
    void aFailedWriteKeepsItsEventsAndTheNextWriteWritesThemOnce() throws IOException {
        // events.jsonl cannot be opened: a directory stands in its place.
        Path blocker = Files.createDirectory(dir.resolve(EventsFile.NAME));
        AuditTrail trail = trail(100);
        apply(heartbeat("server1", 1));
        apply(heartbeat("server2", 1));
        List<Event> batch = new ArrayList<>();
        assertFalse(trail.write(batch));
        assertEquals(2, batch.size(), "kept for the next try");
        apply(heartbeat("witness", 1));
        assertFalse(trail.write(batch));
        Files.delete(blocker);
        assertTrue(trail.write(batch));
        assertEquals(List.of(1L, 2L, 3L), seqs());
        assertEquals(0, sm.listenerFailures());
        trail.close();
    }

    @Test
    void aRestartedNodeWritesOnlyWhatItsFileLacks() throws IOException {
        AuditTrail first = trail(100);
        apply(heartbeat("server1", 1));
        apply(heartbeat("server2", 1));
        assertTrue(first.write(new ArrayList<>()));
        first.close();
        // The same state machine stands for the replay: its next apply shows all three events.
        AuditTrail second = trail(100);
        apply(heartbeat("witness", 1));
        assertTrue(second.write(new ArrayList<>()));
        assertEquals(List.of(1L, 2L, 3L), seqs());
        second.close();
    }

    private List<Long> seqs() throws IOException {
        return Files.readAllLines(dir.resolve(EventsFile.NAME)).stream()
                .map(l -> AuditLine.seqOf(l).orElseThrow()).toList();
    }

    private static Command heartbeat(String node, long seq) {
        return Command.newBuilder().setWallTimeMs(1)
                .setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1).setSeq(seq)).build();
    }

    private void apply(Command command) {
        TransactionContext trx = TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
                .setStateMachine(sm).setLogEntry(LogEntryProto.newBuilder().setTerm(1).setIndex(++index)
                        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                                .setLogData(ByteString.copyFrom(command.toByteArray()))).build())
                .build();
        sm.applyTransaction(trx).join();
    }
}
