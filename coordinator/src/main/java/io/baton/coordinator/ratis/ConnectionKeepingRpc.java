package io.baton.coordinator.ratis;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;

/**
 * A Ratis client transport shared by the successive {@link org.apache.ratis.client.RaftClient}s of
 * one {@link SteeredClient}, which keeps a connection to a server that answered.
 *
 * <p>Ratis's client drops its connection to a server whenever it moves on to another one, even
 * when that server answered "not the leader" or "leader not ready". Over TLS every such drop costs a
 * new handshake on the next request to that server, and after a leader change a client may be sent
 * round the servers more than once: the handshakes add up to seconds that an owner renewing its
 * lease does not have. A server that answered is reachable, so its connection is kept; a connection
 * that failed (timeout, reset) is still dropped and rebuilt as Ratis does.
 *
 * <p>{@link #close()} does nothing, because a client that is replaced closes its transport: the
 * owner closes the shared one with {@link #closeShared()}.
 */
final class ConnectionKeepingRpc implements RaftClientRpc {
    private final RaftClientRpc shared;

    ConnectionKeepingRpc(RaftClientRpc shared) {
        this.shared = shared;
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
        return shared.sendRequestAsync(request);
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(RaftClientRequest request) {
        return shared.sendRequestAsyncUnordered(request);
    }

    @Override
    public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
        return shared.sendRequest(request);
    }

    @Override
    public void addRaftPeers(Collection<RaftPeer> peers) {
        shared.addRaftPeers(peers);
    }

    @Override
    public boolean handleException(RaftPeerId serverId, Throwable t, boolean reconnect) {
        if (answered(t)) {
            return false;
        }
        return shared.handleException(serverId, t, reconnect);
    }

    @Override
    public boolean shouldReconnect(Throwable t) {
        return !answered(t) && shared.shouldReconnect(t);
    }

    /** Whether the failure is a server's answer, not a broken connection to it. */
    static boolean answered(Throwable t) {
        return t instanceof NotLeaderException || t instanceof LeaderNotReadyException;
    }

    @Override
    public void close() {
        // Shared: see closeShared().
    }

    /** Closes the shared transport, for good. */
    void closeShared() throws IOException {
        shared.close();
    }
}
