package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.junit.jupiter.api.Test;

class ConnectionKeepingRpcTest {
    /** Records which servers' connections it was asked to reset, and whether it was closed. */
    static final class RecordingRpc implements RaftClientRpc {
        final List<RaftPeerId> reset = new ArrayList<>();
        boolean closed;

        @Override
        public RaftClientReply sendRequest(RaftClientRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addRaftPeers(java.util.Collection<org.apache.ratis.protocol.RaftPeer> peers) {}

        @Override
        public boolean handleException(RaftPeerId serverId, Throwable t, boolean reconnect) {
            reset.add(serverId);
            return true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final RecordingRpc shared = new RecordingRpc();
    private final ConnectionKeepingRpc rpc = new ConnectionKeepingRpc(shared);
    private final RaftPeerId server1 = RaftPeerId.valueOf("server1");
    private final RaftGroupMemberId member = RaftGroupMemberId.valueOf(server1, RaftGroupId.randomId());

    @Test
    void aServerThatAnsweredKeepsItsConnection() {
        assertFalse(rpc.handleException(server1, new NotLeaderException(member, null, List.of()), true));
        assertFalse(rpc.handleException(server1, new LeaderNotReadyException(member), true));
        assertFalse(rpc.shouldReconnect(new NotLeaderException(member, null, List.of())));
        assertTrue(shared.reset.isEmpty());
    }

    @Test
    void aBrokenConnectionIsStillReset() {
        assertTrue(rpc.handleException(server1, new TimeoutIOException("no answer"), true));
        assertTrue(rpc.handleException(server1, new ConnectException("refused"), true));
        assertTrue(rpc.shouldReconnect(new ConnectException("refused")));
        assertEquals(List.of(server1, server1), shared.reset);
    }

    @Test
    void aReplacedClientClosingItsTransportLeavesTheSharedOneOpen() throws IOException {
        rpc.close();
        assertFalse(shared.closed);
        rpc.closeShared();
        assertTrue(shared.closed);
    }
}
