package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.FailureRecord;
import io.baton.proto.MirrorPeerReport;
import io.baton.proto.PhaseProto;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.RaftFollower;
import io.baton.proto.admin.RaftHealth;
import io.baton.proto.admin.ReplicaStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    @Test
    void rendersHeaderNodesGroupsAndReports() {
        String expected = """
                Cluster:     prod
                Leader:      server1
                Raft:        unknown (no report from the leader)
                Answered by: server2
                Groups:      2 (1 online, 1 stopped)

                ID       ROLE     ZONE    ALIVE  RAFT      ADMIN
                server1  data     zone-a  up     leader    server1:7401
                server2  data     zone-b  up     follower  server2:7401
                witness  witness  zone-c  down   unknown   witness:7401

                GROUP  OWNER    EPOCH  PHASE
                web    server1  7      online
                    server1  active    vip=active (10.0.0.10/24 on eth0), app=active
                    server2  inactive
                db     -        3      stopped
                """;
        assertEquals(expected, StatusTable.render(Clusters.sample()));
    }

    @Test
    void aDownNodesLineSaysItIsItsLastReport() {
        String table = StatusTable.render(Clusters.sample());
        assertFalse(table.contains("down, last seen"), "every member of the sample's groups is up:\n" + table);
        io.baton.proto.admin.ClusterStatus.Builder b = Clusters.sample().toBuilder();
        for (int i = 0; i < b.getNodesCount(); i++) {
            b.setNodes(i, b.getNodes(i).toBuilder().setAlive(false));
        }
        assertTrue(StatusTable.render(b.build()).contains("server1  down, last seen "), StatusTable.render(b.build()));
    }

    @Test
    void saysTheLeaderHearsEveryVoterAndHowManyFailuresTheClusterSurvives() {
        RaftHealth healthy = RaftHealth.newBuilder().setKnown(true).setLeader("server1").setTerm(4)
                .setContactWindowMs(1000).setVoters(3).setInContact(3).setFailuresTolerated(1)
                .addFollowers(RaftFollower.newBuilder().setNode("server2").setLastHeardMs(40).setInContact(true))
                .addFollowers(RaftFollower.newBuilder().setNode("witness").setLastHeardMs(25).setInContact(true))
                .build();
        String table = StatusTable.render(Clusters.sample().toBuilder().setRaft(healthy).build());
        assertTrue(table.contains("Raft:        leader server1 in contact with all 3 voters; survives the loss of 1 more node\n"),
                table);
        assertTrue(table.contains("server2  data     zone-b  up     follower  "), table);
    }

    @Test
    void saysWhichVoterTheLeaderHasNotHeardAndThatOneMoreFailureStopsTheCluster() {
        RaftHealth degraded = RaftHealth.newBuilder().setKnown(true).setLeader("server1").setTerm(4)
                .setContactWindowMs(1000).setVoters(3).setInContact(2).setFailuresTolerated(0)
                .addFollowers(RaftFollower.newBuilder().setNode("server2").setLastHeardMs(40).setInContact(true))
                .addFollowers(RaftFollower.newBuilder().setNode("witness").setLastHeardMs(7723).setInContact(false))
                .build();
        String table = StatusTable.render(Clusters.sample().toBuilder().setRaft(degraded).build());
        assertTrue(table.contains("Raft:        DEGRADED: leader server1 has not heard witness for 7.7 s; 2 of 3 voters"
                + " in contact, one more node lost stops the cluster (no quorum)\n"), table);
        assertTrue(table.contains("witness  witness  zone-c  down   unknown, not heard for 7.7 s"), table);
    }

    @Test
    void saysWhichFollowersReplicaIsBehindThoughItAnswers() {
        RaftHealth behind = RaftHealth.newBuilder().setKnown(true).setLeader("server1").setTerm(4)
                .setContactWindowMs(1000).setVoters(3).setInContact(2).setFailuresTolerated(0)
                .addFollowers(RaftFollower.newBuilder().setNode("server2").setLastHeardMs(40).setInContact(false).setBehind(612))
                .addFollowers(RaftFollower.newBuilder().setNode("witness").setLastHeardMs(25).setInContact(true).setBehind(3))
                .build();
        String table = StatusTable.render(Clusters.sample().toBuilder().setRaft(behind).build());
        assertTrue(table.contains("Raft:        DEGRADED: leader server1 has not heard server2 (replica behind by 612 entries);"), table);
        assertTrue(table.contains("follower, replica behind by 612 entries"), table);
    }

    @Test
    void showsTheWarningOfAnAnswerFromALocalReplica() {
        String table = StatusTable.render(Clusters.sample().toBuilder()
                .setWarning("no leader answered: this is server2's own replica and may be out of date").build());
        assertTrue(table.contains("Answered by: server2\nWarning:     no leader answered: this is server2's own replica"),
                table);
        assertFalse(StatusTable.render(Clusters.sample()).contains("Warning"));
    }

    @Test
    void warnsOfCertificatesThatExpireWithinThirtyDaysOrHaveExpired() {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        ClusterStatus.Builder b = Clusters.sample().toBuilder();
        b.setNodes(0, b.getNodes(0).toBuilder()
                .setCertificateNotAfterMs(now.plus(Duration.ofDays(12)).toEpochMilli())
                .setCaNotAfterMs(now.plus(Duration.ofDays(3650)).toEpochMilli()));
        b.setNodes(1, b.getNodes(1).toBuilder()
                .setCertificateNotAfterMs(now.plus(Duration.ofDays(31)).toEpochMilli())
                .setCaNotAfterMs(now.minus(Duration.ofHours(1)).toEpochMilli()));
        String table = StatusTable.render(b.build(), now);
        assertTrue(table.contains("Warning:     server1's node certificate expires in 12 days (2026-12-17T12:00:00Z):"
                + " issue a new one (docs/security.md)\n"), table);
        assertTrue(table.contains("Warning:     server2's CA certificate expired on 2026-12-05T11:00:00Z"), table);
        assertEquals(2, table.split("Warning:", -1).length - 1, table);
        // Without TLS nothing is reported, and nothing is said.
        assertFalse(StatusTable.render(Clusters.sample(), now).contains("Warning"));
    }

    @Test
    void saysMismatchWhenTheNodesLoadedDifferentClusterFiles() {
        String a = "aaaaaaaaaaaa1111" + "0".repeat(48);
        String b = "bbbbbbbbbbbb2222" + "0".repeat(48);
        ClusterStatus.Builder s = Clusters.sample().toBuilder();
        for (int i = 0; i < s.getNodesCount(); i++) {
            s.setNodes(i, s.getNodes(i).toBuilder().setConfigHash(a));
        }
        assertFalse(StatusTable.render(s.build()).contains("mismatch"), "one file everywhere");
        s.setNodes(1, s.getNodes(1).toBuilder().setConfigHash(b));
        String table = StatusTable.render(s.build());
        assertTrue(table.contains("Warning:     cluster file mismatch: server1 and witness loaded aaaaaaaaaaaa,"
                + " server2 loaded bbbbbbbbbbbb (copy one file to every node; 'batonctl config apply FILE' makes a change live)\n"), table);
        // A node that has not reported a hash (an older build, not heard from yet) is no mismatch.
        s.setNodes(1, s.getNodes(1).toBuilder().setConfigHash(""));
        assertFalse(StatusTable.render(s.build()).contains("mismatch"));
    }

    @Test
    void saysWhenARollingUpgradeWaitsForNodesThatDoNotSpeakTheNewProtocolYet() {
        ClusterStatus.Builder s = Clusters.sample().toBuilder().setProtocolVersion(1);
        assertFalse(StatusTable.render(s.build()).contains("Protocol:"), "nobody speaks more: no line");
        s.setNodes(0, s.getNodes(0).toBuilder().setProtocolSupported(2));
        s.setNodes(1, s.getNodes(1).toBuilder().setProtocolSupported(2));
        String table = StatusTable.render(s.build());
        assertTrue(table.contains("Protocol:    1 (rolling upgrade: server1 and server2 speak 2, witness not yet;"
                + " it rises once every node does)\n"), table);
        s.setNodes(2, s.getNodes(2).toBuilder().setProtocolSupported(2)).setProtocolVersion(2);
        assertFalse(StatusTable.render(s.build()).contains("Protocol:"), "everyone at 2");
    }

    @Test
    void showsMoveTargetFailuresAndStaleReports() {
        GroupStatus moving = Clusters.group("web", "server1", 7, PhaseProto.PHASE_RELEASING).toBuilder()
                .setMoveTarget("server2")
                .addNodes(Clusters.report("server1", 7, ActivityProto.ACTIVITY_STOPPING, "",
                        Clusters.resource("vip", "active", "")))
                .addNodes(Clusters.report("server2", 6, ActivityProto.ACTIVITY_INACTIVE, ""))
                .build();
        GroupStatus failed = Clusters.group("db", "", 4, PhaseProto.PHASE_FAILED).toBuilder()
                .addFailedOn("server1").addFailedOn("server2")
                .addNodes(Clusters.report("server1", 4, ActivityProto.ACTIVITY_FAILED, "mount failed",
                        Clusters.resource("fs", "failed", "exit 32")))
                .build();
        ClusterStatus status = ClusterStatus.newBuilder().addGroups(moving).addGroups(failed)
                .addGroups(Clusters.group("idle", "", 0, PhaseProto.PHASE_OFFLINE)).build();
        String expected = """
                Cluster:     -
                Leader:      (none)
                Raft:        unknown (no report from the leader)
                Answered by: -
                Groups:      3 (1 releasing, 1 offline, 1 failed)

                (no nodes)

                GROUP  OWNER    EPOCH  PHASE      NOTE
                web    server1  7      releasing  moving to server2
                    server1  stopping            vip=active
                    server2  inactive (epoch 6)
                db     -        4      failed     failed on server1, server2
                    server1  failed              fs=failed (exit 32)  ! mount failed
                idle   -        0      offline
                """;
        assertEquals(expected, StatusTable.render(status));
    }

    @Test
    void showsMaintenanceStandbyHoldsDegradedWarningsAndFailures() {
        ClusterStatus base = Clusters.sample();
        GroupStatus web = base.getGroups(0).toBuilder().setMaintenance(true).setDegraded(true)
                .addWarnings("probe-wait: no health check from the load balancer for 45 s: check the target group")
                .build();
        GroupStatus db = Clusters.group("db", "", 3, PhaseProto.PHASE_FAILED).toBuilder().setHeld(true)
                .setHoldReason("failover limit reached: 3 failovers within 1h; app: connection refused")
                .addFailedOn("server2").addFailedOn("server1")
                .addFailures(FailureRecord.newBuilder().setNode("server2").setWallTimeMs(1_796_401_358_000L)
                        .setReason("app: connection refused"))
                .addFailures(FailureRecord.newBuilder().setNode("server1"))
                .build();
        ClusterStatus status = base.toBuilder().setNodes(1, base.getNodes(1).toBuilder().setStandby(true))
                .setGroups(0, web).setGroups(1, db).build();
        String expected = """
                Cluster:     prod
                Leader:      server1
                Raft:        unknown (no report from the leader)
                Answered by: server2
                Groups:      2 (1 online, 1 failed; 1 in maintenance; 1 held; 1 degraded; 1 with warnings; 1 with failure records)
                Maintenance: web (no automatic start, failover, takeover or failback)

                ID       ROLE     ZONE    ALIVE        RAFT      ADMIN
                server1  data     zone-a  up           leader    server1:7401
                server2  data     zone-b  up, standby  follower  server2:7401
                witness  witness  zone-c  down         unknown   witness:7401

                GROUP  OWNER    EPOCH  PHASE   NOTE
                web    server1  7      online  MAINTENANCE; degraded
                    server1  active    vip=active (10.0.0.10/24 on eth0), app=active
                    server2  inactive
                db     -        3      failed  HELD; failed on server2, server1

                warning: web: probe-wait: no health check from the load balancer for 45 s: check the target group
                held: db: failover limit reached: 3 failovers within 1h; app: connection refused ('batonctl clear db' or 'batonctl start db' to start it again)
                failure: db: server2 at 2026-12-04T16:22:38Z: app: connection refused
                failure: db: server1 at an unknown time
                """;
        assertEquals(expected, StatusTable.render(status));
        assertFalse(StatusTable.render(Clusters.sample()).contains("Maintenance"), "no header line without maintenance");
    }

    private static ReplicaStatus replica(String node, ReplicaStateProto state) {
        return ReplicaStatus.newBuilder().setNode(node).setState(state).build();
    }

    @Test
    void theSummaryCountsPhasesGroupsWaitingForAnUpToDateReplicaAndReplicasThatMissWrites() {
        GroupStatus db = Clusters.group("db", "server1", 5, PhaseProto.PHASE_ONLINE).toBuilder().setMirrored(true)
                .addReplicas(replica("server1", ReplicaStateProto.REPLICA_UP_TO_DATE))
                .addReplicas(replica("server2", ReplicaStateProto.REPLICA_OUTDATED)).build();
        GroupStatus files = Clusters.group("files", "server1", 2, PhaseProto.PHASE_ONLINE).toBuilder().setMirrored(true)
                .addReplicas(replica("server1", ReplicaStateProto.REPLICA_UP_TO_DATE))
                .addReplicas(replica("server2", ReplicaStateProto.REPLICA_INCONSISTENT).toBuilder()
                        .setPeer(MirrorPeerReport.newBuilder().setPeer("server2").setSyncing(true).setProgressPercent(40)))
                .build();
        // Its only UpToDate replica is on the witness, which is down: it waits offline.
        GroupStatus logs = Clusters.group("logs", "", 3, PhaseProto.PHASE_OFFLINE).toBuilder().setMirrored(true)
                .addReplicas(replica("server2", ReplicaStateProto.REPLICA_OUTDATED))
                .addReplicas(replica("witness", ReplicaStateProto.REPLICA_UP_TO_DATE)).build();
        // Never granted: new disks miss nothing.
        GroupStatus fresh = Clusters.group("fresh", "", 0, PhaseProto.PHASE_OFFLINE).toBuilder().setMirrored(true)
                .setAdminStopped(true).addReplicas(replica("server1", ReplicaStateProto.REPLICA_UNKNOWN))
                .addReplicas(replica("server2", ReplicaStateProto.REPLICA_UNKNOWN)).build();
        ClusterStatus status = Clusters.sample().toBuilder().setGroups(1, db).addGroups(files).addGroups(logs)
                .addGroups(fresh).build();
        assertEquals("5 (3 online, 1 offline, 1 stopped; 1 waiting for an UpToDate replica; 3 replicas not UpToDate)",
                StatusTable.summary(status));
        assertTrue(StatusTable.render(status).contains("\nGroups:      5 (3 online, "), StatusTable.render(status));
        ClusterStatus one = Clusters.sample().toBuilder().setGroups(1, db).build();
        assertEquals("2 (2 online; 1 replica not UpToDate)", StatusTable.summary(one));
    }

    private static GroupFilter names(String... names) {
        return new GroupFilter(List.of(names), List.of());
    }

    private static GroupFilter patterns(String... patterns) {
        return new GroupFilter(List.of(), List.of(patterns));
    }

    /** sample() and a third group, web-2 online on server2. */
    private static ClusterStatus sampleAndWeb2() {
        return Clusters.sample().toBuilder().addGroups(Clusters.group("web-2", "server2", 1, PhaseProto.PHASE_ONLINE)
                .toBuilder().addNodes(Clusters.report("server2", 1, ActivityProto.ACTIVITY_ACTIVE, "",
                        Clusters.resource("app", "active", "")))).build();
    }

    private static final String SAMPLE_HEADER_AND_NODES = """
            Cluster:     prod
            Leader:      server1
            Raft:        unknown (no report from the leader)
            Answered by: server2
            Groups:      3 (2 online, 1 stopped)

            ID       ROLE     ZONE    ALIVE  RAFT      ADMIN
            server1  data     zone-a  up     leader    server1:7401
            server2  data     zone-b  up     follower  server2:7401
            witness  witness  zone-c  down   unknown   witness:7401

            """;

    @Test
    void aGroupNamedShowsTheHeaderAndNodesUnchangedAndOnlyThatGroupsSection() {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        assertTrue(StatusTable.render(sampleAndWeb2(), now).startsWith(SAMPLE_HEADER_AND_NODES));
        assertEquals(SAMPLE_HEADER_AND_NODES + """
                GROUP  OWNER    EPOCH  PHASE
                web-2  server2  1      online
                    server2  active  app=active
                """, StatusTable.render(sampleAndWeb2(), names("web-2"), false, now));
        assertEquals(SAMPLE_HEADER_AND_NODES + """
                GROUP  OWNER    EPOCH  PHASE
                web    server1  7      online
                    server1  active    vip=active (10.0.0.10/24 on eth0), app=active
                    server2  inactive
                db     -        3      stopped
                """, StatusTable.render(sampleAndWeb2(), names("db", "web", "db"), false, now), "in the cluster's order, once");
    }

    @Test
    void patternsSelectByGlobAndAddToTheNamedGroups() {
        ClusterStatus status = sampleAndWeb2();
        assertEquals(List.of("web", "web-2"), selected(status, patterns("web*")));
        assertEquals(List.of("web-2"), selected(status, patterns("web-?")));
        assertEquals(List.of("db"), selected(status, patterns("?b")));
        assertEquals(List.of("web", "db"), selected(status, patterns("w?b", "d*")));
        assertEquals(List.of("web"), selected(status, patterns("web")), "no wildcard: the name itself");
        assertEquals(List.of("web", "db", "web-2"), selected(status, patterns("*")));
        assertEquals(List.of("db", "web-2"), selected(status, new GroupFilter(List.of("web-2"), List.of("d*"))));
        assertEquals(List.of(), selected(status, patterns("web.")), "a dot is a dot");
    }

    private static List<String> selected(ClusterStatus status, GroupFilter filter) {
        return filter.select(status).stream().map(GroupStatus::getName).toList();
    }

    @Test
    void aPatternThatMatchesNothingSaysSoBelowTheNodes() {
        assertEquals(SAMPLE_HEADER_AND_NODES + "(no group matches 'cache*' or 'x?')\n",
                StatusTable.render(sampleAndWeb2(), patterns("cache*", "x?"), false, Instant.now()));
        assertTrue(StatusTable.render(ClusterStatus.getDefaultInstance(), patterns("web*"), false, Instant.now())
                .endsWith("\n(no groups)\n"));
    }

    @Test
    void theLinesBelowTheGroupsAreTheShownGroupsOnly() {
        ClusterStatus base = Clusters.sample();
        GroupStatus web = base.getGroups(0).toBuilder().addWarnings("probe-wait: no health check for 45 s").build();
        GroupStatus db = base.getGroups(1).toBuilder().setHeld(true).setHoldReason("on_failure stop").build();
        ClusterStatus status = base.toBuilder().setGroups(0, web).setGroups(1, db).build();
        String onlyDb = StatusTable.render(status, names("db"), false, Instant.now());
        assertTrue(onlyDb.contains("\nheld: db: on_failure stop"), onlyDb);
        assertFalse(onlyDb.contains("warning: web"), onlyDb);
        assertTrue(onlyDb.contains("Groups:      2 (1 online, 1 stopped; 1 held; 1 with warnings)"),
                "the summary is the whole cluster's:\n" + onlyDb);
    }

    @Test
    void anUnknownGroupIsAnErrorNamingItAndTheGroupItLikelyMeant() {
        assertEquals("unknown group 'wbe' (did you mean 'web'?)", unknown(Clusters.sample(), names("wbe")));
        assertEquals("unknown group 'cache'; groups: web, db", unknown(Clusters.sample(), names("cache")));
        assertEquals("unknown groups 'wbe' (did you mean 'web'?), 'cache'",
                unknown(Clusters.sample(), new GroupFilter(List.of("web", "wbe", "cache"), List.of("d*"))));
        assertEquals("unknown group 'web*' (a pattern goes after --group: --group 'web*')",
                unknown(Clusters.sample(), names("web*")));
        assertEquals("unknown group 'web'; the cluster has no groups", unknown(ClusterStatus.getDefaultInstance(), names("web")));
        ClusterStatus many = Clusters.many(200);
        assertEquals("unknown group 'cache'", unknown(many, names("cache")), "200 names are not listed");
        assertEquals("unknown group 'ap-150' (did you mean 'app-150'?)", unknown(many, names("ap-150")));
    }

    private static String unknown(ClusterStatus status, GroupFilter filter) {
        CtlException e = assertThrows(CtlException.class, () -> StatusTable.render(status, filter, false, Instant.now()));
        return e.getMessage();
    }

    /**
     * many(200) with some trouble: app-002's replica on server1 Outdated, app-007 in maintenance, app-033
     * with a warning, app-050 held failed, app-120 offline, app-121 starting.
     */
    private static ClusterStatus twoHundredGroups() {
        ClusterStatus.Builder b = Clusters.many(200).toBuilder();
        b.setGroups(1, b.getGroups(1).toBuilder().setMirrored(true)
                .addReplicas(replica("server2", ReplicaStateProto.REPLICA_UP_TO_DATE))
                .addReplicas(replica("server1", ReplicaStateProto.REPLICA_OUTDATED)));
        b.setGroups(6, b.getGroups(6).toBuilder().setMaintenance(true));
        b.setGroups(32, b.getGroups(32).toBuilder().addWarnings("probe-wait: no health check for 45 s"));
        b.setGroups(49, Clusters.group("app-050", "", 51, PhaseProto.PHASE_FAILED).toBuilder().setHeld(true)
                .setHoldReason("on_failure stop").addFailedOn("server2")
                .addFailures(FailureRecord.newBuilder().setNode("server2").setReason("app: exit 1"))
                .addAllNodes(b.getGroups(49).getNodesList()));
        b.setGroups(119, b.getGroups(119).toBuilder().setOwner("").setPhase(PhaseProto.PHASE_OFFLINE));
        b.setGroups(120, b.getGroups(120).toBuilder().setPhase(PhaseProto.PHASE_STARTING));
        return b.build();
    }

    @Test
    void twoHundredGroupsAreOneLineEachWithTheTroubleBelowAndHowToSeeOneInFull() {
        String table = StatusTable.render(twoHundredGroups(), Instant.parse("2026-12-05T12:00:00Z"));
        List<String> lines = table.lines().toList();
        assertEquals(List.of(
                "Cluster:     prod",
                "Leader:      server1",
                "Raft:        unknown (no report from the leader)",
                "Answered by: server2",
                "Groups:      200 (197 online, 1 starting, 1 offline, 1 failed; 1 in maintenance; 1 held; 1 with warnings;"
                        + " 1 with failure records; 1 replica not UpToDate)",
                "Maintenance: app-007 (no automatic start, failover, takeover or failback)",
                "",
                "ID       ROLE     ZONE    ALIVE  RAFT      ADMIN",
                "server1  data     zone-a  up     leader    server1:7401",
                "server2  data     zone-b  up     follower  server2:7401",
                "witness  witness  zone-c  down   unknown   witness:7401",
                "",
                "GROUP    OWNER    EPOCH  PHASE     NOTE",
                "app-001  server1  1      online",
                "app-002  server2  2      online    server1 replica Outdated"), lines.subList(0, 15));
        assertEquals(List.of(
                "app-049  server1  49     online",
                "app-050  -        51     failed    HELD; failed on server2",
                "app-051  server1  51     online"), lines.subList(61, 64));
        assertEquals(List.of(
                "app-120  -        120    offline",
                "app-121  server1  121    starting"), lines.subList(132, 134));
        assertEquals(List.of(
                "app-200  server2  200    online",
                "",
                "warning: app-033: probe-wait: no health check for 45 s",
                "held: app-050: on_failure stop ('batonctl clear app-050' or 'batonctl start app-050' to start it again)",
                "failure: app-050: server2 at an unknown time: app: exit 1",
                "",
                "One line per group (more than 20): 'batonctl status GROUP' shows a group's members and resources,"
                        + " 'batonctl status --full' every group's."), lines.subList(212, lines.size()));
        assertFalse(table.contains("\n    "), "no member lines");
        assertTrue(StatusTable.render(twoHundredGroups(), names("app-002"), false, Instant.now()).endsWith("""
                GROUP    OWNER    EPOCH  PHASE
                app-002  server2  2      online
                    server2  active, replica UpToDate    app=active
                    server1  inactive, replica Outdated
                """), "in full, the member's line shows the replica");
    }

    @Test
    void upToTwentyGroupsEachHaveTheirSectionAndAboveThatOneLine() {
        assertTrue(StatusTable.render(Clusters.many(20)).contains("\napp-020  server2  20     online\n"
                + "    server2  active    app=active\n    server1  inactive\n"));
        String compact = StatusTable.render(Clusters.many(21));
        assertTrue(compact.endsWith("app-020  server2  20     online\napp-021  server1  21     online\n\n"
                + "One line per group (more than 20): 'batonctl status GROUP' shows a group's members and resources,"
                + " 'batonctl status --full' every group's.\n"), compact);
        assertEquals(StatusTable.render(Clusters.many(21)).lines().filter(l -> l.startsWith("app-")).count(), 21);
    }

    @Test
    void groupsNamedOneByOneAndFullAreInFullHoweverManyAndAPatternIsCompactAboveTwenty() {
        ClusterStatus status = Clusters.many(200);
        Instant now = Instant.now();
        List<String> named = status.getGroupsList().subList(0, 25).stream().map(GroupStatus::getName).toList();
        assertEquals(25, memberLines(StatusTable.render(status, new GroupFilter(named, List.of()), false, now)) / 2);
        assertEquals(200, memberLines(StatusTable.render(status, GroupFilter.ALL, true, now)) / 2);
        assertEquals(0, memberLines(StatusTable.render(status, patterns("app-1*"), false, now)), "100 groups");
        String ten = StatusTable.render(status, patterns("app-1?0"), false, now);
        assertEquals(10, memberLines(ten) / 2, ten);
        assertFalse(ten.contains("One line per group"), ten);
        assertTrue(ten.contains("Groups:      200 (200 online)"), ten);
    }

    private static long memberLines(String table) {
        return table.lines().filter(l -> l.startsWith("    ")).count();
    }

    @Test
    void theMaintenanceLineOfALargeClusterNamesAFewGroupsOrSaysAll() {
        ClusterStatus.Builder seven = Clusters.many(200).toBuilder();
        ClusterStatus.Builder all = Clusters.many(200).toBuilder();
        ClusterStatus.Builder small = Clusters.many(20).toBuilder();
        for (int i = 0; i < 200; i++) {
            all.setGroups(i, all.getGroups(i).toBuilder().setMaintenance(true));
            if (i % 3 == 0 && i < 21) {
                seven.setGroups(i, seven.getGroups(i).toBuilder().setMaintenance(true));
                small.setGroups(i, small.getGroups(i).toBuilder().setMaintenance(true));
            }
        }
        assertTrue(StatusTable.render(seven.build()).contains("\nMaintenance: app-001, app-004, app-007, app-010,"
                + " app-013 and 2 more (no automatic start, failover, takeover or failback)\n"));
        assertTrue(StatusTable.render(all.build()).contains("\nMaintenance: all 200 groups (no automatic start,"));
        assertTrue(StatusTable.render(small.build()).contains("\nMaintenance: app-001, app-004, app-007, app-010,"
                + " app-013, app-016, app-019 (no automatic"), "up to 20 groups as before");
    }

    @Test
    void emptyCluster() {
        assertEquals("Cluster:     c\nLeader:      (none)\nRaft:        unknown (no report from the leader)\nAnswered by: n1\nGroups:      0\n\n(no nodes)\n\n(no groups)\n",
                StatusTable.render(ClusterStatus.newBuilder().setCluster("c").setAnsweredBy("n1").build()));
    }

    @Test
    void aMonitoredResourceShowsItsVerdictLastErrorAndRestarts() {
        io.baton.proto.ResourceReport healthy = Clusters.resource("app", "active", "").toBuilder()
                .setMonitor(io.baton.proto.MonitorReport.newBuilder().setVerdict("healthy")).build();
        io.baton.proto.ResourceReport failing = Clusters.resource("app", "active", "").toBuilder()
                .setMonitor(io.baton.proto.MonitorReport.newBuilder().setVerdict("failing").setConsecutiveFailures(1)
                        .setLastError("connection refused").setRestarts(2)).build();
        assertEquals("app=active [monitor healthy]", StatusTable.resource(healthy));
        assertEquals("app=active [monitor failing: 1 check in a row, connection refused; 2 restarts in its window]",
                StatusTable.resource(failing));
        assertEquals("app=active", StatusTable.resource(Clusters.resource("app", "active", "")));
    }
}
