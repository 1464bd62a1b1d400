package io.baton.coordinator.ratis;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A Ratis client ({@code C}: {@link org.apache.ratis.client.RaftClient}, or a stand-in in tests) that starts at the leader this node's own Raft server knows of.
 *
 * <p>After the leader is lost, a Ratis client waits out a request timeout on the old leader and then
 * tries servers at random, which can send it back to the unreachable one for another timeout. This
 * node's server learns the new leader from the election itself (its first append), usually well
 * before a client would guess it. So whenever the server's view of the leader changes, the next
 * request goes through a new client built to start at that leader. Between changes the same client
 * is kept, and with it whatever leader it has found on its own: the server's view is followed only
 * when it changes, never forced over the client's.
 *
 * <p>Clients that are replaced are not closed (a request may still be running on one); they share
 * one transport ({@link ConnectionKeepingRpc}), and hold nothing else worth releasing.
 */
final class SteeredClient<C> {
    private final Supplier<Optional<RaftPeerId>> serverLeader;
    private final Function<Optional<RaftPeerId>, C> build;
    private C current;
    private RaftPeerId followed;

    /**
     * @param serverLeader the leader this node's Raft server knows of, if any
     * @param build        a new client that starts at the given leader (or where Ratis chooses)
     */
    SteeredClient(Supplier<Optional<RaftPeerId>> serverLeader, Function<Optional<RaftPeerId>, C> build) {
        this.serverLeader = serverLeader;
        this.build = build;
    }

    /** The client to send the next request with. */
    synchronized C get() {
        Optional<RaftPeerId> leader = serverLeader.get();
        if (current == null) {
            current = build.apply(leader);
            followed = leader.orElse(null);
        } else if (leader.isPresent() && !leader.get().equals(followed)) {
            current = build.apply(leader);
            followed = leader.get();
        }
        return current;
    }
}
