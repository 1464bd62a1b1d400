package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigLoader;
import io.baton.proto.FollowerContact;
import io.baton.proto.RaftContact;
import io.baton.proto.admin.RaftHealth;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RaftHealthTest {
    private static final String YAML = """
            cluster: {name: c, heartbeat_interval: 250ms, lease: 3s%s}
            nodes:
              - {id: server1, role: data,    raft: 127.0.0.1:7400, admin: 127.0.0.1:7401}
              - {id: server2, role: data,    raft: 127.0.0.2:7400, admin: 127.0.0.2:7401}
              - {id: witness, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
            groups: []
            """;

    private static ClusterConfig config(String extra) throws Exception {
        return ConfigLoader.parse(YAML.formatted(extra), "cluster.yaml");
    }

    private static RaftContact contact(long server1Ms, long witnessMs) {
        return RaftContact.newBuilder().setLeader("server2").setTerm(4).setLeaderForMs(60_000)
                .addFollowers(FollowerContact.newBuilder().setNode("server1").setLastHeardMs(server1Ms))
                .addFollowers(FollowerContact.newBuilder().setNode("witness").setLastHeardMs(witnessMs)).build();
    }

    @Test
    void everyVoterHeardWithinTheWindowMeansOneMoreFailureIsSurvived() throws Exception {
        RaftHealth h = StatusBuilder.health(config(""), Optional.of(contact(40, 999)));
        assertTrue(h.getKnown());
        assertEquals("server2", h.getLeader());
        assertEquals(4, h.getTerm());
        assertEquals(1000, h.getContactWindowMs());
        assertEquals(3, h.getInContact());
        assertEquals(1, h.getFailuresTolerated());
    }

    @Test
    void aFollowerNotHeardForLongerIsOutOfContactAndNoFurtherFailureIsSurvived() throws Exception {
        RaftHealth h = StatusBuilder.health(config(""), Optional.of(contact(40, 7723)));
        assertEquals(2, h.getInContact());
        assertEquals(0, h.getFailuresTolerated());
        assertFalse(h.getFollowers(1).getInContact());
        assertEquals("witness", h.getFollowers(1).getNode());
        assertEquals(7723, h.getFollowers(1).getLastHeardMs());
    }

    @Test
    void aVoterTheLeaderHasNoAppenderForIsOutOfContact() throws Exception {
        RaftContact onlyServer1 = RaftContact.newBuilder().setLeader("server2").setTerm(4)
                .addFollowers(FollowerContact.newBuilder().setNode("server1").setLastHeardMs(10)).build();
        RaftHealth h = StatusBuilder.health(config(""), Optional.of(onlyServer1));
        assertEquals(-1, h.getFollowers(1).getLastHeardMs());
        assertEquals(2, h.getInContact());
    }

    @Test
    void aNewLeadersFollowerNotAnsweredSinceItTookOverIsOutOfContact() throws Exception {
        // Ratis starts each follower's clock when the leader takes over: 300 ms as leader, a follower
        // "heard 300 ms ago" has not answered it yet (a dead server1 just after an election).
        RaftContact fresh = contact(300, 20).toBuilder().setLeaderForMs(300).build();
        RaftHealth h = StatusBuilder.health(config(""), Optional.of(fresh));
        assertFalse(h.getFollowers(0).getInContact());
        assertTrue(h.getFollowers(1).getInContact());
        assertEquals(2, h.getInContact());
    }

    @Test
    void theWindowIsThreeElectionTimeoutsAndAtLeastOneSecond() throws Exception {
        assertEquals(Duration.ofSeconds(1), StatusBuilder.contactWindow(config("")));
        assertEquals(Duration.ofMillis(1500), StatusBuilder.contactWindow(config(", election_timeout: 500ms")));
    }

    @Test
    void withoutTheLeadersReportNothingIsClaimed() throws Exception {
        RaftHealth h = StatusBuilder.health(config(""), Optional.empty());
        assertFalse(h.getKnown());
        assertEquals(0, h.getInContact());
    }

    /** A follower whose appender died answers heartbeats but its commit index stays put. */
    @Test
    void aFollowerHeardButFarBehindTheLeadersCommitIsOutOfContact() throws Exception {
        RaftContact c = RaftContact.newBuilder().setLeader("server2").setTerm(4).setLeaderForMs(60_000).setCommitIndex(3000)
                .addFollowers(FollowerContact.newBuilder().setNode("server1").setLastHeardMs(40).setCommitIndex(2400))
                .addFollowers(FollowerContact.newBuilder().setNode("witness").setLastHeardMs(40).setCommitIndex(2960)).build();
        RaftHealth h = StatusBuilder.health(config(""), Optional.of(c));
        assertEquals(2, h.getInContact());
        assertEquals(0, h.getFailuresTolerated());
        assertFalse(h.getFollowers(0).getInContact());
        assertEquals(600, h.getFollowers(0).getBehind());
        assertTrue(h.getFollowers(1).getInContact(), "40 entries behind is within " + StatusBuilder.REPLICA_BEHIND_MAX);
        assertEquals(40, h.getFollowers(1).getBehind());
    }
}
