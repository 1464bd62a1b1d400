package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.Grant;
import io.baton.proto.NodeLiveness;
import io.baton.proto.Revoke;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leader-side controller, a function of (state, the leader's liveness view, now). */
class ControllerTest {
    static final long MS = 1_000_000L;
    /** lease 3 s, heartbeat 500 ms, ρ 1 %, margin 500 ms: takeover after 3.53 s, eligible within 2 s. */
    static final Timing TIMING = new Timing(3_000 * MS, 500 * MS, 0.01, 500 * MS);
    static final long T0 = 1_000_000 * MS;

    private final CoreFixture f = new CoreFixture();
    private final Controller controller = new Controller(CoreFixture.TOPOLOGY, TIMING);
    private final Map<String, Long> heard = new LinkedHashMap<>();
    private long leaderSince = T0 - 60_000 * MS;

    private List<Command> decide(long now) {
        return controller.decide(f.state, new Liveness(leaderSince, heard), now);
    }

    private List<Command> groupCommands(long now) {
        return decide(now).stream().filter(c -> !c.hasLiveness()).toList();
    }

    private void heardAll(long t) {
        heard.put("server1", t);
        heard.put("server2", t);
        heard.put("witness", t);
    }

    /** A start of an unowned group: no owner's heartbeat to match. */
    private static Command grant(String group, String node, long epoch, String reason) {
        return Command.newBuilder().setGrant(Grant.newBuilder().setGroup(group).setNode(node)
                .setExpectedEpoch(epoch).setReason(reason)).build();
    }

    /** A takeover from {@code owner}, decided on its last heartbeat. */
    private static Command takeover(String group, String node, long epoch, NodeState owner, String reason) {
        return Command.newBuilder().setGrant(Grant.newBuilder().setGroup(group).setNode(node).setExpectedEpoch(epoch)
                .setOwnerIncarnation(owner.incarnation).setOwnerSeq(owner.seq).setReason(reason)).build();
    }

    private static Command revoke(String group, long epoch, NodeState owner, String reason) {
        return Command.newBuilder().setRevoke(Revoke.newBuilder().setGroup(group).setExpectedEpoch(epoch)
                .setOwnerIncarnation(owner.incarnation).setOwnerSeq(owner.seq).setReason(reason)).build();
    }

    private static Command down(String node) {
        return Command.newBuilder().setLiveness(NodeLiveness.newBuilder().setNode(node).setAlive(false)).build();
    }

    @Test
    void timingArithmetic() {
        assertEquals(3_530 * MS, TIMING.takeoverAfterNanos());
        assertEquals(2_000 * MS, TIMING.eligibleWithinNanos());
        assertEquals(1_000 * MS, new Timing(1_000 * MS, 500 * MS, 0, 0).eligibleWithinNanos(), "at most a lease");
    }

    @Test
    void startsEachOfflineAutostartGroupOnItsFirstEligibleMember() {
        f.allAlive();
        heardAll(T0);
        assertEquals(List.of(grant("web", "server1", 0, "automatic start"), grant("db", "server2", 0, "automatic start")),
                decide(T0 + 10 * MS), "batch has no autostart; the witness never gets a group");
    }

    @Test
    void justAfterAnElectionWaitsALeaseForThePreferredMemberBeforeStartingElsewhere() {
        f.allAlive();
        leaderSince = T0;
        long stillFresh = T0 + TIMING.leaseNanos() - 1;
        heard.put("server2", stillFresh - 10 * MS);
        heard.put("witness", stillFresh - 10 * MS);
        assertEquals(List.of(grant("db", "server2", 0, "automatic start")), groupCommands(stillFresh),
                "db prefers server2, which is heard; web prefers server1, which may still be starting");
        heard.put("server2", stillFresh);
        heard.put("witness", stillFresh);
        assertEquals(List.of(grant("web", "server2", 0, "automatic start"), grant("db", "server2", 0, "automatic start")),
                groupCommands(T0 + TIMING.leaseNanos()), "after a lease, the next member in order will do");
    }

    /** A group an operator adds starts on its most preferred member, not on whichever member ran the new file first. */
    @Test
    void aGroupJustAddedWaitsForAPreferredMemberStillLoadingTheConfiguration() {
        f.allAlive();
        heardAll(T0);
        f.ok(Command.newBuilder().setSetProtocol(io.baton.proto.SetProtocolVersion.newBuilder().setVersion(Protocol.CONFIG_APPLY)).build());
        io.baton.proto.AppliedConfigProto.Builder c = io.baton.proto.AppliedConfigProto.newBuilder().setSha256("x").setText("x");
        for (Topology.GroupSpec g : List.of(new Topology.GroupSpec("api", List.of("server2", "server1"), true))) {
            c.addGroups(ConfigChange.proto(g));
        }
        f.ok(Command.newBuilder().setApplyConfig(io.baton.proto.ApplyConfig.newBuilder().setConfig(c)).build());
        f.ok(Command.newBuilder().setHeartbeat(io.baton.proto.Heartbeat.newBuilder().setNode("server1").setIncarnation(1)
                .setSeq(100).setConfigVersion(1)).build());
        assertEquals(List.of(), groupCommands(T0 + 10 * MS), "server2, preferred and up, still runs version 0");
        f.ok(Command.newBuilder().setHeartbeat(io.baton.proto.Heartbeat.newBuilder().setNode("server2").setIncarnation(1)
                .setSeq(100).setConfigVersion(1)).build());
        assertEquals(List.of(grant("api", "server2", 0, "automatic start")), groupCommands(T0 + 20 * MS));
    }

    @Test
    void skipsAMemberThatIsDownInTheCommittedState() {
        f.allAlive();
        f.ok(CoreFixture.liveness("server1", false));
        heardAll(T0);
        assertEquals(List.of(grant("web", "server2", 0, "automatic start"), grant("db", "server2", 0, "automatic start")),
                groupCommands(T0));
    }

    @Test
    void skipsAMemberNotHeardRecentlyByThisLeader() {
        f.allAlive();
        heardAll(T0);
        heard.put("server1", T0 - TIMING.eligibleWithinNanos());
        assertEquals(grant("web", "server2", 0, "automatic start"), groupCommands(T0).get(0));
        heard.put("server1", T0 - TIMING.eligibleWithinNanos() + 1);
        assertEquals(grant("web", "server1", 0, "automatic start"), groupCommands(T0).get(0));
        heard.remove("server1");
        assertEquals(grant("web", "server2", 0, "automatic start"), groupCommands(T0).get(0), "never heard");
    }

    @Test
    void skipsNodesWhereActivationFailed() {
        f.allAlive();
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        heardAll(T0);
        assertEquals(grant("web", "server2", 1, "failed on server1"), groupCommands(T0).get(0));

        f.ok(CoreFixture.grant("web", "server2", 1));
        f.beat("server2", report("web", 2, ActivityProto.ACTIVITY_FAILED));
        assertTrue(groupCommands(T0).stream().noneMatch(c -> c.hasGrant() && c.getGrant().getGroup().equals("web")),
                "failed everywhere: wait for an operator");
    }

    @Test
    void neverGrantsToAWitnessEvenIfListedAsMember() {
        Topology odd = new Topology(CoreFixture.TOPOLOGY.nodes(),
                List.of(new Topology.GroupSpec("odd", List.of("witness", "server2"), true)));
        CoreFixture g = new CoreFixture(odd);
        g.allAlive();
        heardAll(T0);
        assertEquals(List.of(grant("odd", "server2", 0, "automatic start")),
                new Controller(odd, TIMING).decide(g.state, new Liveness(leaderSince, heard), T0));
    }

    @Test
    void nothingWithoutAnEligibleNode() {
        assertEquals(List.of(), decide(T0), "nobody heard, nobody alive");
        f.allAlive();
        assertEquals(List.of(), groupCommands(T0), "alive but not heard by this leader");
    }

    @Test
    void stoppedAndReleasingGroupsAreLeftAlone() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.move("web", "server2"));
        heardAll(T0);
        assertEquals(List.of(), decide(T0 + 10 * MS));
    }

    @Test
    void takesOverExactlyWhenTheOwnersLeaseHasRunOut() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        heard.put("server1", T0);
        long takeover = T0 + TIMING.takeoverAfterNanos();
        heard.put("server2", takeover - 100 * MS);
        assertEquals(List.of(), groupCommands(takeover - 1));
        Command expected = takeover("web", "server2", 1, f.node("server1"), "lease of server1 expired");
        assertEquals(List.of(expected), groupCommands(takeover));
        heard.put("server2", takeover + 4_000 * MS);
        assertEquals(List.of(expected), groupCommands(takeover + 5_000 * MS));
    }

    @Test
    void takeoverPrefersTheMoveTarget() {
        Topology three = new Topology(
                List.of(new Topology.NodeSpec("a", false), new Topology.NodeSpec("b", false),
                        new Topology.NodeSpec("c", false)),
                List.of(new Topology.GroupSpec("g", List.of("a", "b", "c"), true)));
        CoreFixture g = new CoreFixture(three);
        g.allAlive();
        g.ok(CoreFixture.grant("g", "a", 0));
        g.ok(CoreFixture.move("g", "c"));
        Map<String, Long> h = Map.of("a", T0, "b", T0 + 3_000 * MS, "c", T0 + 3_000 * MS);
        assertEquals(List.of(takeover("g", "c", 1, g.node("a"), "lease of a expired")), new Controller(three, TIMING)
                .decide(g.state, new Liveness(leaderSince, h), T0 + TIMING.takeoverAfterNanos()).stream()
                .filter(Command::hasGrant).toList());
    }

    @Test
    void aNewLeaderWaitsAFullTakeoverPeriod() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        heard.put("server1", T0 - 60_000 * MS);
        leaderSince = T0;
        long ready = T0 + TIMING.takeoverAfterNanos();
        heard.put("server2", ready - 10 * MS);
        assertEquals(List.of(), groupCommands(ready - 1));
        assertEquals(List.of(takeover("web", "server2", 1, f.node("server1"), "lease of server1 expired")),
                groupCommands(ready));
    }

    @Test
    void revokesWhenNoOtherNodeCanTakeOver() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.liveness("server2", false));
        heardAll(T0);
        long takeover = T0 + TIMING.takeoverAfterNanos();
        assertEquals(List.of(revoke("web", 1, f.node("server1"), "lease of server1 expired; no other node is eligible")),
                groupCommands(takeover));
    }

    @Test
    void revokesAStoppingGroupWhoseOwnerIsGone() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("web"));
        f.ok(CoreFixture.stop("db"));
        heardAll(T0);
        heard.put("server2", T0 + TIMING.takeoverAfterNanos());
        assertEquals(List.of(revoke("web", 1, f.node("server1"), "lease of server1 expired while stopping")),
                groupCommands(T0 + TIMING.takeoverAfterNanos()));
    }

    @Test
    void takeoverAndRevokeCarryTheOwnersLastHeartbeatFromTheState() {
        f.webOnlineOnServer1();
        f.ok(CoreFixture.stop("db"));
        f.ok(CoreFixture.heartbeat("server1", 7, 3)); // server1 restarted: incarnation 7, its third heartbeat
        heard.put("server1", T0);
        long takeover = T0 + TIMING.takeoverAfterNanos();
        heard.put("server2", takeover - 100 * MS);
        Grant grant = groupCommands(takeover).get(0).getGrant();
        assertEquals("server2", grant.getNode());
        assertEquals(1, grant.getExpectedEpoch());
        assertEquals(7, grant.getOwnerIncarnation());
        assertEquals(3, grant.getOwnerSeq());

        f.ok(CoreFixture.heartbeat("server1", 7, 9)); // committed, though this leader still waits for it
        f.ok(CoreFixture.liveness("server2", false));
        Revoke revoke = groupCommands(takeover).get(0).getRevoke();
        assertEquals(1, revoke.getExpectedEpoch());
        assertEquals(7, revoke.getOwnerIncarnation());
        assertEquals(9, revoke.getOwnerSeq());
    }

    @Test
    void aStartOfAnUnownedGroupNamesNoOwnerHeartbeat() {
        f.allAlive();
        heardAll(T0);
        for (Command c : groupCommands(T0)) {
            assertEquals(0, c.getGrant().getOwnerIncarnation(), c::toString);
            assertEquals(0, c.getGrant().getOwnerSeq(), c::toString);
        }
        assertEquals(2, groupCommands(T0).size());
    }

    @Test
    void proposesANodeDownAfterALeaseOfSilence() {
        f.allAlive();
        heardAll(T0);
        heard.put("server2", T0 + 1_000 * MS);
        long lease = TIMING.leaseNanos();
        assertTrue(decide(T0 + lease - 1).stream().noneMatch(Command::hasLiveness));
        List<Command> down = decide(T0 + lease).stream().filter(Command::hasLiveness).toList();
        assertEquals(List.of(down("server1"), down("witness")), down);

        f.ok(CoreFixture.liveness("server1", false));
        assertEquals(List.of(down("witness")), decide(T0 + lease).stream().filter(Command::hasLiveness).toList(),
                "a node already down is not proposed again");
    }

    @Test
    void aNewLeaderCountsUnheardNodesFromItsStart() {
        f.allAlive();
        leaderSince = T0;
        assertTrue(decide(T0 + TIMING.leaseNanos() - 1).stream().noneMatch(Command::hasLiveness));
        assertEquals(3, decide(T0 + TIMING.leaseNanos()).stream().filter(Command::hasLiveness).count());
    }

    @Test
    void aDataNodeLeaderPrefersToHandItsLeadershipToAHeardWitness() {
        f.allAlive();
        heardAll(T0);
        f.ok(CoreFixture.grant("web", "server1", 0));
        assertEquals(java.util.Optional.of("witness"), controller.leaderToPrefer(f.state, "server1",
                new Liveness(leaderSince, heard), T0 + 10 * MS));
        assertEquals(java.util.Optional.of("witness"), controller.leaderToPrefer(f.state, "server2",
                new Liveness(leaderSince, heard), T0 + 10 * MS), "a standby's crash would cost an election too");
        assertEquals(java.util.Optional.empty(), controller.leaderToPrefer(f.state, "witness",
                new Liveness(leaderSince, heard), T0 + 10 * MS), "already the witness");
        assertEquals(java.util.Optional.empty(), controller.leaderToPrefer(f.state, "server1",
                new Liveness(leaderSince, heard), T0 + TIMING.eligibleWithinNanos()), "the witness not heard lately");
    }
}
