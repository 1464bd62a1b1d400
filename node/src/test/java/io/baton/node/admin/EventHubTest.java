package io.baton.node.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.BatonStateMachine;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.Heartbeat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class EventHubTest {
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), false)));

    @Test
    void deliversNewEventsAndIgnoresEntriesAppliedAfterItsClose() {
        BatonStateMachine sm = new BatonStateMachine(new Core(TOPOLOGY));
        EventHub hub = new EventHub(sm);
        sm.addListener(hub);
        List<Event> seen = new CopyOnWriteArrayList<>();
        hub.subscribe(seen::add);

        apply(sm, 1, heartbeat("server1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().anyMatch(e -> e.getKind().equals("node-up")));

        // Closed before Raft (as BatonNode.close() did): an entry applied afterwards is nobody's to deliver.
        hub.close();
        apply(sm, 2, heartbeat("server2")); // records another event
        hub.applied(Command.getDefaultInstance(), CommandResult.getDefaultInstance(), 3); // directly: no exception
        assertEquals(0, sm.listenerFailures(), "the hub did not throw into the state machine");
    }

    private static Command heartbeat(String node) {
        return Command.newBuilder().setWallTimeMs(1)
                .setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1).setSeq(1)).build();
    }

    private static void apply(BatonStateMachine sm, long index, Command command) {
        TransactionContext trx = TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
                .setStateMachine(sm).setLogEntry(LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                                .setLogData(ByteString.copyFrom(command.toByteArray()))).build())
                .build();
        sm.applyTransaction(trx).join();
    }
}
