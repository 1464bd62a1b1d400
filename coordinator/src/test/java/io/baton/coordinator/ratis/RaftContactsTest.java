package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.FollowerContact;
import io.baton.proto.RaftContact;
import org.junit.jupiter.api.Test;

class RaftContactsTest {
    private static RaftContact leaderAt(long commit, FollowerContact... followers) {
        RaftContact.Builder b = RaftContact.newBuilder().setLeader("server2").setTerm(5).setCommitIndex(commit);
        for (FollowerContact f : followers) {
            b.addFollowers(f);
        }
        return b.build();
    }

    private static FollowerContact follower(String node, long heardMsAgo, long commit) {
        return FollowerContact.newBuilder().setNode(node).setLastHeardMs(heardMsAgo).setCommitIndex(commit).build();
    }

    @Test
    void aFollowerHeardRecentlyAndCaughtUpIsInStep() {
        RaftContact c = leaderAt(100, follower("witness", 40, 95), follower("server1", 10, 100));
        assertTrue(RaftContacts.inStep(c, "witness", 300, 20));
    }

    @Test
    void aFollowerNotHeardForAnElectionTimeoutIsNot() {
        // The link just came back; the leader's connection to it is still in TCP backoff.
        RaftContact c = leaderAt(100, follower("witness", 2695, 100));
        assertFalse(RaftContacts.inStep(c, "witness", 300, 20));
    }

    @Test
    void aFollowerFarBehindIsNot() {
        RaftContact c = leaderAt(500, follower("witness", 10, 300));
        assertFalse(RaftContacts.inStep(c, "witness", 300, 20));
    }

    @Test
    void aFollowerWhoseCommitTheLeaderDoesNotKnowIsNot() {
        RaftContact c = leaderAt(10, follower("witness", 10, -1));
        assertFalse(RaftContacts.inStep(c, "witness", 300, 20));
    }

    @Test
    void aNodeThatIsNotAFollowerOfThisLeaderIsNot() {
        RaftContact c = leaderAt(100, follower("server1", 10, 100));
        assertFalse(RaftContacts.inStep(c, "witness", 300, 20));
    }

    @Test
    void aLeaderHeardByOneOfTwoFollowersWithinTheBoundHasAFreshMajority() {
        assertTrue(RaftContacts.majorityHeardWithin(leaderAt(10, follower("a", 80, 10), follower("b", 5_000, 10)), 300));
        assertFalse(RaftContacts.majorityHeardWithin(leaderAt(10, follower("a", 301, 10), follower("b", 5_000, 10)), 300));
        assertFalse(RaftContacts.majorityHeardWithin(leaderAt(10, follower("a", 10, 10), follower("b", 400, 10),
                follower("c", 400, 10), follower("d", 400, 10)), 300), "2 of 5 is no majority");
    }
}
