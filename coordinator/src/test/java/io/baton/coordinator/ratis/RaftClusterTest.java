package io.baton.coordinator.ratis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Phase;
import io.baton.coordinator.ratis.InProcessCluster.Applied;
import io.baton.coordinator.ratis.InProcessCluster.Member;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.HeldGrant;
import io.baton.proto.MoveGroup;
import io.baton.proto.PhaseProto;
import io.baton.proto.ResultCode;
import io.baton.proto.StartGroup;
import io.baton.proto.StopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ratis layer with three real servers over gRPC on loopback: replication of commands and
 * results, the controller on the leader, leadership hooks and failover, snapshots and restart,
 * and loss of quorum.
 */
class RaftClusterTest {
    @TempDir
    Path dir;
    private InProcessCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void commandsThroughAnyNodeApplyIdenticallyOnEveryReplica_refusalsChangeNothing() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        cluster.awaitReadyLeader();
        Applied initial = cluster.awaitConverged();

        // Refused commands come back with their code and reason, through any node, and change nothing.
        CommandResult toWitness = cluster.submit("witness", move("web", "witness"));
        assertEquals(ResultCode.RESULT_INVALID_ARGUMENT, toWitness.getCode());
        assertTrue(toWitness.getMessage().contains("witness"), toWitness.getMessage());
        CommandResult toDownNode = cluster.submit("server1", move("web", "server2"));
        assertEquals(ResultCode.RESULT_FAILED_PRECONDITION, toDownNode.getCode());
        assertTrue(toDownNode.getMessage().contains("down"), toDownNode.getMessage());
        CommandResult unknown = cluster.submit("server2", start("nope", ""));
        assertEquals(ResultCode.RESULT_NOT_FOUND, unknown.getCode());
        assertTrue(unknown.getMessage().contains("unknown group 'nope'"), unknown.getMessage());
        Applied afterRefusals = cluster.awaitConverged();
        assertTrue(afterRefusals.index() >= initial.index() + 3, "the refused commands were logged");
        assertEquals(initial.state(), afterRefusals.state());

        // Accepted ones, each through a different node: batch started on server2, then moved to server1.
        // A node heartbeats only in its own name (CommandAuthority); operators' commands go through any node.
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 1)).getCode());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());
        CommandResult started = cluster.submit("server1", start("batch", "server2"));
        assertEquals(ResultCode.RESULT_OK, started.getCode(), started.getMessage());
        assertEquals(1, started.getEpoch());
        CommandResult moving = cluster.submit("witness", move("batch", "server1"));
        assertEquals(ResultCode.RESULT_OK, moving.getCode(), moving.getMessage());
        CommandResult released = cluster.submit("server2", InProcessCluster.heartbeat("server2", 2,
                GroupReport.newBuilder().setGroup("batch").setEpoch(1).setActivity(ActivityProto.ACTIVITY_INACTIVE)
                        .setReleased(true).build()));
        assertEquals(ResultCode.RESULT_OK, released.getCode());
        assertEquals(List.of(), released.getHeldList());

        Applied end = cluster.awaitConverged();
        for (Member m : cluster.members()) {
            GroupState batch = InProcessCluster.group(m, "batch").orElseThrow();
            assertEquals("server1", batch.owner(), m.id());
            assertEquals(2, batch.epoch(), m.id());
            assertEquals(Phase.STARTING, batch.phase(), m.id());
        }
        List<String> batchEvents = end.state().getEventsList().stream().filter(e -> e.getGroup().equals("batch"))
                .map(e -> e.getKind() + "@" + e.getNode() + "/" + e.getEpoch()).toList();
        assertEquals(List.of("start@server2/0", "granted@server2/1", "move@server1/1", "released@server2/1",
                "granted@server1/2"), batchEvents);
    }

    /**
     * A heartbeat that says what the node's last committed one said is confirmed by a linearizable read
     * through any member's client: the answer names the grants it holds, and the log does not grow.
     * One that says something new is answered "write it".
     */
    @Test
    void heartbeatsThatSayNothingNewAreConfirmedByReadsWithoutALogEntry() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        cluster.awaitReadyLeader();
        for (String n : List.of("server1", "server2", "witness")) {
            CommandResult inc = cluster.submit(n, Command.newBuilder().setIncarnate(
                    io.baton.proto.Incarnate.newBuilder().setNode(n).setBoot(7)).build());
            assertEquals(1, inc.getIncarnation(), inc.getMessage());
            assertEquals(ResultCode.RESULT_OK, cluster.submit(n, InProcessCluster.heartbeat(n, 1)).getCode());
        }
        GroupReport active = GroupReport.newBuilder().setGroup("web").setEpoch(1).setActivity(ActivityProto.ACTIVITY_ACTIVE).build();
        await("web granted to server1").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.readyLeader().flatMap(l -> InProcessCluster.group(l, "web"))
                        .filter(g -> "server1".equals(g.owner())).isPresent());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 2, active)).getCode());
        Applied before = cluster.awaitConverged();

        for (long seq = 3; seq < 13; seq++) {
            CommandResult read = cluster.member("server1").raft()
                    .confirmHeartbeat(InProcessCluster.heartbeat("server1", seq, active), Duration.ofSeconds(5)).join();
            assertEquals(ResultCode.RESULT_OK, read.getCode(), read.getMessage());
            assertEquals(List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(1).setPhase(PhaseProto.PHASE_ONLINE).build()),
                    read.getHeldList());
        }
        assertEquals(before.index(), cluster.awaitConverged().index(), "ten reads, no entry");
        // The leader's own heartbeat is answered in place, with the same rules.
        Member leader = cluster.awaitReadyLeader();
        for (long seq = 20; seq < 25; seq++) {
            CommandResult own = leader.raft().confirmHeartbeat(InProcessCluster.heartbeat(leader.id(), seq),
                    Duration.ofSeconds(5)).join();
            assertEquals(ResultCode.RESULT_OK, own.getCode(), own.getMessage());
        }
        assertEquals(before.index(), cluster.awaitConverged().index(), "nor for the leader's own");

        GroupReport stopping = active.toBuilder().setActivity(ActivityProto.ACTIVITY_STOPPING).build();
        CommandResult changed = cluster.member("server1").raft()
                .confirmHeartbeat(InProcessCluster.heartbeat("server1", 13, stopping), Duration.ofSeconds(5)).join();
        assertEquals(ResultCode.RESULT_WRITE_NEEDED, changed.getCode());
        assertTrue(changed.getMessage().contains("report of group 'web' changed"), changed.getMessage());
    }

    @Test
    void controllerOnTheLeaderGrantsTheAutostartGroupToThePreferredNode() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        cluster.awaitReadyLeader();

        CommandResult first = cluster.submit("server1", InProcessCluster.heartbeat("server1", 1));
        assertEquals(ResultCode.RESULT_OK, first.getCode());
        assertEquals(List.of(), first.getHeldList());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());

        // web prefers server1; batch has no autostart and stays offline.
        await("web granted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.readyLeader().flatMap(l -> InProcessCluster.group(l, "web"))
                        .filter(g -> "server1".equals(g.owner())).isPresent());
        CommandResult confirmed = cluster.submit("server1", InProcessCluster.heartbeat("server1", 2));
        assertEquals(List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(1).setPhase(PhaseProto.PHASE_STARTING).build()),
                confirmed.getHeldList());
        assertEquals(List.of(), cluster.submit("server2", InProcessCluster.heartbeat("server2", 2)).getHeldList());

        Applied state = cluster.awaitConverged();
        Event granted = state.state().getEventsList().stream().filter(e -> e.getKind().equals("granted"))
                .findFirst().orElseThrow();
        assertEquals("web", granted.getGroup());
        assertEquals("server1", granted.getNode());
        assertEquals(1, granted.getEpoch());
        assertEquals("automatic start", granted.getMessage());
        assertTrue(granted.getWallTimeMs() > 0, "the controller stamps its proposals");
        GroupState batch = InProcessCluster.group(cluster.member("server2"), "batch").orElseThrow();
        assertEquals(Phase.OFFLINE, batch.phase());
        assertEquals(0, batch.epoch());
    }

    /**
     * The leader's controller decides when an input changed or a lease may run out, not on a fixed tick:
     * idle, about once a second (the 50 ms tick it had decided 20 times a second); an applied heartbeat
     * wakes it at once, and the group it makes eligible is granted.
     */
    @Test
    void anIdleLeadersControllerDecidesAboutOnceASecond_anAppliedEntryWakesIt() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        Member leader = cluster.awaitReadyLeader();
        long before = leader.controller().ticks();
        await("at most 6 decisions in 3 s").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> leader.controller().ticks() - before <= 6);

        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 1)).getCode());
        await("web granted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.readyLeader().flatMap(l -> InProcessCluster.group(l, "web"))
                        .filter(g -> "server1".equals(g.owner())).isPresent());
    }

    @Test
    void witnessLeads_leaderReadyOnlyOnTheLeader_andAfterItsLossTheNewLeadersControllerWorks() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        Member witness = cluster.member("witness");
        // Whoever wins the first election hands over to the witness, the peer with the highest priority.
        await("witness leads").atMost(InProcessCluster.ELECTION_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> witness.raft().isLeaderReady() && witness.recorder().leading);
        await("every node follows the witness").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.members().stream().allMatch(m -> m.raft().leaderId().orElse("").equals("witness")));
        for (Member m : cluster.members()) {
            assertTrue(m.recorder().readyWhileLeader.stream().allMatch(b -> b),
                    m.id() + ": leaderReady fired only while it was the leader");
            assertEquals(m == witness, m.recorder().leading, m.id());
        }

        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 1)).getCode());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", 1)).getCode());
        await("web granted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                InProcessCluster.group(witness, "web").filter(g -> "server1".equals(g.owner())).isPresent());

        cluster.stop("witness");
        assertFalse(witness.recorder().leading, "notLeader fired when the leader closed");
        Member leader = cluster.awaitReadyLeader();
        assertNotEquals("witness", leader.id());
        await("leaderReady on the new leader").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> leader.recorder().leading);
        for (Member m : cluster.members()) {
            assertEquals(m == leader, m.recorder().leading, m.id());
            assertTrue(m.recorder().readyWhileLeader.stream().allMatch(b -> b), m.id());
        }

        // Stop web, server1 releases it, start it again: the new leader's controller grants it anew.
        Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
        CommandResult stopping = cluster.submit(follower.id(), stamped(Command.newBuilder()
                .setStop(StopGroup.newBuilder().setGroup("web"))));
        assertEquals(ResultCode.RESULT_OK, stopping.getCode(), stopping.getMessage());
        assertEquals("stopping web on server1", stopping.getMessage());
        CommandResult releasing = cluster.submit("server1", InProcessCluster.heartbeat("server1", 2));
        assertEquals(List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(1).setPhase(PhaseProto.PHASE_RELEASING).build()),
                releasing.getHeldList());
        CommandResult released = cluster.submit("server1", InProcessCluster.heartbeat("server1", 3,
                GroupReport.newBuilder().setGroup("web").setEpoch(1).setActivity(ActivityProto.ACTIVITY_INACTIVE)
                        .setReleased(true).build()));
        assertEquals(List.of(), released.getHeldList());
        CommandResult started = cluster.submit(leader.id(), start("web", ""));
        assertEquals(ResultCode.RESULT_OK, started.getCode(), started.getMessage());

        await("web granted again").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                InProcessCluster.group(leader, "web").filter(g -> "server1".equals(g.owner()) && g.epoch() == 2).isPresent());
        Applied end = cluster.awaitConverged();
        Event last = end.state().getEvents(end.state().getEventsCount() - 1);
        assertEquals("granted", last.getKind());
        assertEquals(2, last.getEpoch());
        assertEquals(ResultCode.RESULT_OK, cluster.submit(follower.id(), InProcessCluster.heartbeat(follower.id(), 4)).getCode());
    }

    @Test
    void theLeaderReportsHowLongAgoItHeardEachFollower_aStoppedOneFallsBehind() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        Member leader = cluster.awaitReadyLeader();
        Member follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
        // Asked through a follower: the query goes to the leader, which answers with its own view.
        await("the leader reports both followers heard").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    RaftNode.LeaderState s = follower.raft().queryLeader(Duration.ofSeconds(2)).join();
                    return s.leader().equals(leader.id()) && s.raft().isPresent()
                            && s.raft().get().getLeader().equals(leader.id())
                            && s.raft().get().getFollowersCount() == 2
                            && s.raft().get().getFollowersList().stream().allMatch(f -> f.getLastHeardMs() < 1000);
                });
        assertEquals(leader.raft().currentTerm(),
                leader.raft().queryLeader(Duration.ofSeconds(2)).join().raft().orElseThrow().getTerm());

        String stopped = cluster.members().stream().filter(m -> m != leader && m != follower).findFirst().orElseThrow().id();
        cluster.stop(stopped);
        // Still a majority (leader + follower); the stopped one is heard no more.
        await("the stopped follower's silence grows").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    RaftNode.LeaderState s = follower.raft().queryLeader(Duration.ofSeconds(2)).join();
                    return s.raft().isPresent() && s.raft().get().getFollowersList().stream().anyMatch(
                            f -> f.getNode().equals(stopped) && f.getLastHeardMs() > 1500)
                            && s.raft().get().getFollowersList().stream().anyMatch(
                            f -> f.getNode().equals(follower.id()) && f.getLastHeardMs() < 1000);
                });
    }

    @Test
    void snapshotsAreTakenAndAFullRestartRestoresTheState() throws Exception {
        cluster = InProcessCluster.start(dir, 20);
        cluster.awaitReadyLeader();
        long seq1 = 0;
        long seq2 = 0;
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", ++seq1)).getCode());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server2", InProcessCluster.heartbeat("server2", ++seq2)).getCode());
        assertEquals(ResultCode.RESULT_OK, cluster.submit("witness", start("batch", "server2")).getCode());
        await("web granted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                InProcessCluster.group(cluster.member("server1"), "web").filter(g -> "server1".equals(g.owner())).isPresent());
        for (int i = 0; i < 40; i++) {
            CompletableFuture<CommandResult> a = cluster.member("server1").raft()
                    .submit(InProcessCluster.heartbeat("server1", ++seq1), InProcessCluster.SUBMIT_TIMEOUT);
            CompletableFuture<CommandResult> b = cluster.member("server2").raft()
                    .submit(InProcessCluster.heartbeat("server2", ++seq2), InProcessCluster.SUBMIT_TIMEOUT);
            assertEquals(ResultCode.RESULT_OK, a.join().getCode());
            assertEquals(ResultCode.RESULT_OK, b.join().getCode());
        }
        Applied before = cluster.awaitConverged();
        for (String id : InProcessCluster.IDS) {
            List<Path> snapshots = cluster.snapshotFiles(id);
            assertFalse(snapshots.isEmpty(), id + " took snapshots");
            for (Path s : snapshots) {
                assertTrue(Files.exists(s.resolveSibling(s.getFileName() + ".md5")), s + " has its MD5 file");
            }
        }

        cluster.stopAll();
        for (String id : InProcessCluster.IDS) {
            cluster.start(id);
        }
        cluster.awaitReadyLeader();
        Applied restored = cluster.awaitConverged();
        assertTrue(restored.index() >= before.index(), restored.index() + " < " + before.index());
        assertEquals(before.state(), restored.state());
        GroupState web = InProcessCluster.group(cluster.member("witness"), "web").orElseThrow();
        assertEquals("server1", web.owner());
        assertEquals(1, web.epoch());
        assertEquals(Phase.STARTING, web.phase());

        // New commands still apply, after the restored ones.
        CommandResult hb = cluster.submit("server1", InProcessCluster.heartbeat("server1", ++seq1,
                GroupReport.newBuilder().setGroup("web").setEpoch(1).setActivity(ActivityProto.ACTIVITY_ACTIVE).build()));
        assertEquals(List.of(HeldGrant.newBuilder().setGroup("web").setEpoch(1).setPhase(PhaseProto.PHASE_ONLINE).build()),
                hb.getHeldList());
        Applied after = cluster.awaitConverged();
        Event online = after.state().getEvents(after.state().getEventsCount() - 1);
        assertEquals("online", online.getKind());
        assertEquals(before.state().getNextEventSeq(), online.getSeq());
        assertTrue(online.getLogIndex() > before.index());
    }

    @Test
    void withoutQuorumSubmitFailsInTimeAndNothingChanges() throws Exception {
        cluster = InProcessCluster.start(dir, 2000);
        cluster.awaitReadyLeader();
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 1)).getCode());
        // The controller's one decision here (web to server1, heard) first: committed after 'before'
        // but ahead of the stop, it would look like a change without a quorum.
        await("web granted to server1").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                cluster.converged().flatMap(a -> a.state().getGroupsList().stream()
                        .filter(g -> g.getName().equals("web") && g.getOwner().equals("server1")).findFirst()).isPresent());
        Applied before = cluster.awaitConverged();

        cluster.stop("witness", "server2");
        Member alone = cluster.member("server1");
        Duration timeout = Duration.ofSeconds(2);
        long start = System.nanoTime();
        CompletableFuture<CommandResult> f = alone.raft().submit(InProcessCluster.heartbeat("server1", 2), timeout);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < timeout.toMillis() + 1000, "failed after " + elapsedMs + " ms: " + e.getCause());

        await("nothing applied").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> alone.applied().state().equals(before.state()));
        assertFalse(alone.raft().isLeaderReady());
    }

    private static Command move(String group, String to) {
        return stamped(Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(group).setTo(to)));
    }

    private static Command start(String group, String on) {
        return stamped(Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(group).setOn(on)));
    }

    private static Command stamped(Command.Builder b) {
        return InProcessCluster.stamped(b);
    }

    /**
     * A data node that leads hands the leadership to the witness once the witness is
     * back and heard: Ratis priorities alone rarely do it while the log keeps growing.
     */
    @Test
    void commandsSentWhileTheLeaderStepsDownAreRetriedNotFailed() throws Exception {
        cluster = InProcessCluster.start(dir, 1000);
        cluster.awaitReadyLeader();
        cluster.stop("witness");
        Member leader = cluster.awaitReadyLeader();
        cluster.start("witness");
        // Ratis lets a leader hand over only to the highest-priority peer: the witness, as Baton's
        // controller does when its leader owns a group. Commands sent back to back through the old
        // leader's own client while the transfer runs reach it while it is stepping down; each must
        // still commit.
        CompletableFuture<Void> transfer = leader.raft().transferLeadership("witness", Duration.ofSeconds(10));
        long seq = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!transfer.isDone() && System.nanoTime() < deadline && seq < 20_000) {
            CommandResult result = cluster.submit(leader.id(), InProcessCluster.heartbeat(leader.id(), ++seq));
            assertEquals(ResultCode.RESULT_OK, result.getCode(), result.getMessage());
        }
        transfer.get(15, TimeUnit.SECONDS);
        CommandResult after = cluster.submit(leader.id(), InProcessCluster.heartbeat(leader.id(), ++seq));
        assertEquals(ResultCode.RESULT_OK, after.getCode(), after.getMessage());
        assertEquals("witness", cluster.awaitReadyLeader().id());
    }

    @Test
    void aLeaderThatOwnsAGroupHandsTheLeadershipBackToTheWitness() throws Exception {
        cluster = InProcessCluster.start(dir, 1000);
        cluster.awaitReadyLeader();
        cluster.stop("witness");
        InProcessCluster.Member leader = cluster.awaitReadyLeader();
        String self = leader.id();
        long[] seq = {0};
        // Only the leader is heard, so the group can go nowhere else.
        cluster.submit(self, InProcessCluster.heartbeat(self, ++seq[0]));
        cluster.submit(self, InProcessCluster.stamped(Command.newBuilder()
                .setStart(StartGroup.newBuilder().setGroup("web").setOn(self))));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                self.equals(InProcessCluster.group(leader, "web").orElseThrow().owner()));

        cluster.start("witness");
        // (A heartbeat may fail while the witness is still joining: the next poll sends another.)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            // The witness's agent would heartbeat; here the test does, through the witness's client.
            cluster.submit("witness", InProcessCluster.heartbeat("witness", ++seq[0]));
            return cluster.readyLeader().map(m -> m.id().equals("witness")).orElse(false);
        });
        assertEquals(self, InProcessCluster.group(cluster.member("witness"), "web").orElseThrow().owner());
    }

    /**
     * The repair of a follower's replication when the witness leads (Controller.replicationToRepair):
     * Ratis refuses to hand a leadership to a data node, which has the lower priority, so the witness
     * steps down, and the election that follows makes it the leader again in a newer term (new log
     * appenders), with every command still committing.
     */
    @Test
    void aWitnessLeaderThatStepsDownIsElectedAgainInANewTerm_aHandOverToADataNodeIsRefused() throws Exception {
        cluster = InProcessCluster.start(dir, 1000);
        Member witness = cluster.member("witness");
        await("witness leads").atMost(InProcessCluster.ELECTION_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> witness.raft().isLeaderReady());
        long term = witness.raft().currentTerm();

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> witness.raft().transferLeadership("server1", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
        assertTrue(String.valueOf(refused.getCause()).contains("highest priority"), String.valueOf(refused.getCause()));
        assertEquals(term, witness.raft().currentTerm(), "the refused hand-over changed nothing");

        witness.raft().stepDown(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        await("the witness leads again, in a newer term").atMost(InProcessCluster.ELECTION_WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> witness.raft().isLeaderReady() && witness.raft().currentTerm() > term);
        assertEquals(ResultCode.RESULT_OK, cluster.submit("server1", InProcessCluster.heartbeat("server1", 1)).getCode());
    }
}
