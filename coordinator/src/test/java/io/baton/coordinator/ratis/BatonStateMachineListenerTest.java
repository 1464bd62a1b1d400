package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.coordinator.core.Core;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A {@link StateListener} is a side effect: its exception never escapes {@link BatonStateMachine}
 * into Ratis (issue 9: an event hub closed before Raft refused an entry applied meanwhile, Ratis's
 * apply thread caught it, and once spun at 100 % CPU while the close waited for it).
 */
class BatonStateMachineListenerTest {

    /** Refuses every call, as a listener whose executor was shut down does. */
    static final class ClosedListener implements StateListener {
        int calls;

        @Override
        public void applied(Command command, CommandResult result, long logIndex) {
            calls++;
            throw new RejectedExecutionException("closed");
        }

        @Override
        public void leaderReady() {
            calls++;
            throw new IllegalStateException("closed");
        }

        @Override
        public void notLeader() {
            calls++;
            throw new IllegalStateException("closed");
        }

        @Override
        public void leaderChanged(String leaderId) {
            calls++;
            throw new IllegalStateException("closed");
        }
    }

    /** Records what it is told. */
    static final class Recorder implements StateListener {
        final List<String> told = new ArrayList<>();

        @Override
        public void applied(Command command, CommandResult result, long logIndex) {
            told.add("applied " + logIndex + " " + result.getCode());
        }

        @Override
        public void leaderReady() {
            told.add("leader ready");
        }

        @Override
        public void notLeader() {
            told.add("not leader");
        }

        @Override
        public void leaderChanged(String leaderId) {
            told.add("leader " + leaderId);
        }
    }

    @Test
    void aListenerThatThrowsNeitherStopsTheEntryNorTheOtherListenersNorTheNextEntries() {
        BatonStateMachine sm = new BatonStateMachine(new Core(InProcessCluster.TOPOLOGY));
        ClosedListener closed = new ClosedListener();
        Recorder after = new Recorder();
        sm.addListener(closed);
        sm.addListener(after);

        assertEquals(ResultCode.RESULT_OK, apply(sm, 1, InProcessCluster.heartbeat("server1", 1)).getCode());
        assertEquals(ResultCode.RESULT_OK, apply(sm, 2, InProcessCluster.heartbeat("server2", 1)).getCode());

        assertEquals(TermIndex.valueOf(1, 2), sm.getLastAppliedTermIndex());
        assertEquals(2, sm.copyState().nodes().stream().filter(n -> n.alive()).count(), "both heartbeats applied");
        assertEquals(List.of("applied 1 RESULT_OK", "applied 2 RESULT_OK"), after.told);
        assertEquals(2, closed.calls);
        assertEquals(2, sm.listenerFailures());
    }

    @Test
    void leadershipNotificationsDoNotThrowEither() {
        BatonStateMachine sm = new BatonStateMachine(new Core(InProcessCluster.TOPOLOGY));
        ClosedListener closed = new ClosedListener();
        Recorder after = new Recorder();
        sm.addListener(closed);
        sm.addListener(after);

        sm.notifyLeaderReady();
        sm.notifyLeaderChanged(null, RaftPeerId.valueOf("witness"));
        sm.notifyNotLeader(List.of());

        assertEquals(List.of("leader ready", "leader witness", "not leader"), after.told);
        assertEquals(3, sm.listenerFailures());
    }

    private static CommandResult apply(BatonStateMachine sm, long index, Command command) {
        TransactionContext trx = TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
                .setStateMachine(sm).setLogEntry(LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                                .setLogData(ByteString.copyFrom(command.toByteArray()))).build())
                .build();
        try {
            return CommandResult.parseFrom(sm.applyTransaction(trx).join().getContent().toByteArray());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
