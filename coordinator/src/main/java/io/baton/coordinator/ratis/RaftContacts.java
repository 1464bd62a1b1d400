package io.baton.coordinator.ratis;

import io.baton.proto.FollowerContact;
import io.baton.proto.RaftContact;
import java.util.Collection;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;

/**
 * What a Raft leader knows of its followers, from Ratis's own bookkeeping: for each, how long ago
 * the leader last had an answer to an AppendEntries (entries or heartbeat). A follower whose link
 * came back but whose TCP connection is still in retransmission backoff shows here as not heard.
 * With each follower's commit index as the leader knows it: a follower that answers heartbeats but
 * takes no entries (its log appender died) shows here as falling behind.
 */
final class RaftContacts {
    private RaftContacts() {}

    /** The leader's view, or empty if {@code role} is not a leader's; {@code commits} as the leader knows them. */
    static Optional<RaftContact> of(RoleInfoProto role, Collection<CommitInfoProto> commits) {
        if (!role.hasLeaderInfo()) {
            return Optional.empty();
        }
        RaftContact.Builder b = RaftContact.newBuilder()
                .setLeader(role.getSelf().getId().toStringUtf8())
                .setTerm(role.getLeaderInfo().getTerm())
                .setLeaderForMs(role.getRoleElapsedTimeMs())
                .setCommitIndex(commitIndex(commits, role.getSelf().getId().toStringUtf8()));
        for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
            b.addFollowers(FollowerContact.newBuilder().setNode(f.getId().getId().toStringUtf8())
                    .setLastHeardMs(f.getLastRpcElapsedTimeMs())
                    .setCommitIndex(commitIndex(commits, f.getId().getId().toStringUtf8())));
        }
        return Optional.of(b.build());
    }

    /**
     * Whether {@code follower} keeps step with the leader of {@code contact}: it answered within
     * {@code maxSilenceMs} and its commit index, as the leader knows it, is at most {@code maxLag}
     * entries behind the leader's. A leadership transfer refuses every write until the transferee
     * has caught up (or the transfer times out), so the leadership is handed only to a follower
     * that is in step already: one whose connection is still in TCP backoff after a link came back,
     * or that is replaying a log, would hold the heartbeats up for the whole transfer timeout.
     */
    static boolean inStep(RaftContact contact, String follower, long maxSilenceMs, long maxLag) {
        return contact.getFollowersList().stream()
                .filter(f -> f.getNode().equals(follower))
                .anyMatch(f -> f.getLastHeardMs() <= maxSilenceMs && f.getCommitIndex() >= 0
                        && contact.getCommitIndex() - f.getCommitIndex() <= maxLag);
    }

    /**
     * Whether the leader of {@code contact} heard a majority of the voters (itself one of them) within
     * {@code withinMs}. A follower that has joined a newer term stops answering this leader, so a
     * deposed leader stops passing this within {@code withinMs} of the newer leader's election.
     */
    static boolean majorityHeardWithin(RaftContact contact, long withinMs) {
        long heard = 1 + contact.getFollowersList().stream().filter(f -> f.getLastHeardMs() <= withinMs).count();
        return heard > (contact.getFollowersCount() + 1) / 2;
    }

    private static long commitIndex(Collection<CommitInfoProto> commits, String node) {
        return commits.stream().filter(c -> c.getServer().getId().toStringUtf8().equals(node))
                .mapToLong(CommitInfoProto::getCommitIndex).findFirst().orElse(-1);
    }
}
