package io.baton.coordinator.ratis;

import io.baton.proto.FollowerContact;
import io.baton.proto.RaftContact;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;

/**
 * What a Raft leader knows of its followers, from Ratis's own bookkeeping: for each, how long ago
 * the leader last had an answer to an AppendEntries (entries or heartbeat). A follower whose link
 * came back but whose TCP connection is still in retransmission backoff shows here as not heard.
 */
final class RaftContacts {
    private RaftContacts() {}

    /** The leader's view, or empty if {@code role} is not a leader's. */
    static Optional<RaftContact> of(RoleInfoProto role) {
        if (!role.hasLeaderInfo()) {
            return Optional.empty();
        }
        RaftContact.Builder b = RaftContact.newBuilder()
                .setLeader(role.getSelf().getId().toStringUtf8())
                .setTerm(role.getLeaderInfo().getTerm())
                .setLeaderForMs(role.getRoleElapsedTimeMs());
        for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
            b.addFollowers(FollowerContact.newBuilder().setNode(f.getId().getId().toStringUtf8())
                    .setLastHeardMs(f.getLastRpcElapsedTimeMs()));
        }
        return Optional.of(b.build());
    }
}
