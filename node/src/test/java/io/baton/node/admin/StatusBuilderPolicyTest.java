package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigLoader;
import io.baton.node.daemon.BatonNode;
import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.FailureRecord;
import io.baton.proto.Grant;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import io.baton.proto.SetMaintenance;
import io.baton.proto.SetNodeStandby;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status carries maintenance, holds, degraded, warnings, failure records and standby from the committed state. */
class StatusBuilderPolicyTest {
    private static final String YAML = """
            cluster: {name: c, heartbeat_interval: 250ms, lease: 3s}
            nodes:
              - {id: server1, role: data,    raft: 127.0.0.1:7400, admin: 127.0.0.1:7401}
              - {id: server2, role: data,    raft: 127.0.0.2:7400, admin: 127.0.0.2:7401}
              - {id: witness, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
            groups:
              - {name: web, nodes: [server1, server2], resources: [{type: exec, name: app, start: /bin/true, stop: /bin/true}]}
              - {name: db, nodes: [server2, server1], resources: [{type: exec, name: app, start: /bin/true, stop: /bin/true}]}
            """;

    private final ClusterConfig config;
    private final Core core;
    private final ClusterState state;
    private long index;
    private long seq;

    StatusBuilderPolicyTest() throws Exception {
        config = ConfigLoader.parse(YAML, "cluster.yaml");
        core = new Core(BatonNode.topology(config));
        state = ClusterState.initial(core.topology());
    }

    private void ok(Command.Builder c) {
        CommandResult r = core.apply(state, c.setWallTimeMs(5_000 + index).build(), ++index);
        assertEquals(ResultCode.RESULT_OK, r.getCode(), r::getMessage);
    }

    private void beat(String node, GroupReport... reports) {
        ok(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1).setSeq(++seq)
                .addAllReports(List.of(reports))));
    }

    private static GroupReport report(String group, long epoch, ActivityProto activity) {
        return GroupReport.newBuilder().setGroup(group).setEpoch(epoch).setActivity(activity).build();
    }

    @Test
    void statusShowsWhatTheCoreRecorded() {
        beat("server1");
        beat("server2");
        ok(Command.newBuilder().setGrant(Grant.newBuilder().setGroup("web").setNode("server1").setExpectedEpoch(0)));
        beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE).toBuilder().setDegraded(true)
                .setMessage("app: monitor failed; on_failure keep").addWarnings("probe-wait: no health check for 45 s").build());
        ok(Command.newBuilder().setGrant(Grant.newBuilder().setGroup("db").setNode("server2").setExpectedEpoch(0)));
        beat("server2", report("db", 1, ActivityProto.ACTIVITY_FAILED).toBuilder().setMonitorFailed(true)
                .setMessage("app: connection refused").build());
        ok(Command.newBuilder().setSetMaintenance(SetMaintenance.newBuilder().setGroup("web").setOn(true)));
        ok(Command.newBuilder().setNodeStandby(SetNodeStandby.newBuilder().setNode("server2").setStandby(true)));

        ClusterStatus status = StatusBuilder.build(config, state, "server1", "server1");
        GroupStatus web = status.getGroups(0);
        assertTrue(web.getMaintenance());
        assertTrue(web.getDegraded());
        assertEquals(List.of("probe-wait: no health check for 45 s"), web.getWarningsList());
        assertFalse(web.getHeld());
        GroupStatus db = status.getGroups(1);
        assertFalse(db.getMaintenance());
        assertFalse(db.getDegraded());
        assertEquals(List.of(FailureRecord.newBuilder().setNode("server2").setWallTimeMs(db.getFailures(0).getWallTimeMs())
                .setReason("app: connection refused").build()), db.getFailuresList());
        assertTrue(db.getFailures(0).getWallTimeMs() > 5_000);
        assertEquals(List.of("server2"), db.getFailedOnList());
        assertFalse(status.getNodes(0).getStandby());
        assertTrue(status.getNodes(1).getStandby());
    }

    @Test
    void aHeldGroupSaysWhy() throws Exception {
        beat("server1");
        ok(Command.newBuilder().setGrant(Grant.newBuilder().setGroup("web").setNode("server1").setExpectedEpoch(0)));
        // Three failovers an hour are allowed by default: the fourth monitor failure holds the group.
        for (int i = 1; i <= 4; i++) {
            if (i > 1) {
                ok(Command.newBuilder().setMove(io.baton.proto.MoveGroup.newBuilder().setGroup("web").setTo("server1")));
            }
            beat("server1", report("web", i, ActivityProto.ACTIVITY_FAILED).toBuilder().setMonitorFailed(true)
                    .setMessage("app: refused").build());
        }
        GroupStatus web = StatusBuilder.build(config, state, "server1", "server1").getGroups(0);
        assertTrue(web.getHeld());
        assertEquals("failover limit reached: 3 failovers within 1h; app: refused", web.getHoldReason());
    }
}
