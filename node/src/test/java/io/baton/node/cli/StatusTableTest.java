package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    @Test
    void rendersHeaderNodesGroupsAndReports() {
        String expected = """
                Cluster:     prod
                Leader:      server1
                Answered by: server2

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
    void showsTheWarningOfAnAnswerFromALocalReplica() {
        String table = StatusTable.render(Clusters.sample().toBuilder()
                .setWarning("no leader answered: this is server2's own replica and may be out of date").build());
        assertTrue(table.contains("Answered by: server2\nWarning:     no leader answered: this is server2's own replica"),
                table);
        assertFalse(StatusTable.render(Clusters.sample()).contains("Warning"));
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
                Answered by: -

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
    void emptyCluster() {
        assertEquals("Cluster:     c\nLeader:      (none)\nAnswered by: n1\n\n(no nodes)\n\n(no groups)\n",
                StatusTable.render(ClusterStatus.newBuilder().setCluster("c").setAnsweredBy("n1").build()));
    }
}
