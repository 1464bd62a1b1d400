package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.Protocol;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigLoader;
import io.baton.node.daemon.BatonNode;
import io.baton.node.membership.Members;
import io.baton.node.membership.MembershipPlan;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Heartbeat;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import io.baton.proto.ResultCode;
import io.baton.proto.SetMembership;
import io.baton.proto.SetProtocolVersion;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.NodeStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status follows the live membership and says when the answering node's file lists other nodes. */
class StatusBuilderMembershipTest {
    private static final String YAML = """
            cluster: {name: c, heartbeat_interval: 250ms, lease: 3s}
            nodes:
              - {id: server1, role: data,    raft: 127.0.0.1:7400, admin: 127.0.0.1:7401}
              - {id: server2, role: data,    raft: 127.0.0.2:7400, admin: 127.0.0.2:7401}
              - {id: witness, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
            groups:
              - {name: web, nodes: [server1, server2], resources: [{type: exec, name: app, start: /bin/true, stop: /bin/true}]}
            """;

    private final ClusterConfig config;
    private final Core core;
    private final ClusterState state;
    private long index;

    StatusBuilderMembershipTest() throws Exception {
        config = ConfigLoader.parse(YAML, "cluster.yaml");
        core = new Core(BatonNode.topology(config));
        state = ClusterState.initial(core.topology());
    }

    private void ok(Command.Builder c) {
        CommandResult r = core.apply(state, c.setWallTimeMs(5_000 + index).build(), ++index);
        assertEquals(ResultCode.RESULT_OK, r.getCode(), r::getMessage);
    }

    private void set(MembershipProto next) {
        ok(Command.newBuilder().setSetMembership(SetMembership.newBuilder()
                .setExpectedVersion(state.membership().map(MembershipProto::getVersion).orElse(0L)).setMembership(next)));
    }

    @Test
    void aReplacedNodeShowsInStatusAndTheFileIsSaidToDiffer() throws Exception {
        for (String n : List.of("server1", "server2", "witness")) {
            ok(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(n).setIncarnation(1).setSeq(1)));
        }
        ok(Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(Protocol.MEMBERSHIP)));
        assertEquals("", StatusBuilder.build(config, state, "server1", "witness").getMembershipMismatch(),
                "no change yet: the file is the membership");

        MemberProto server3 = MemberProto.newBuilder().setId("server3").setRaft("127.0.0.4:7400").setAdmin("127.0.0.4:7401").build();
        MembershipProto boot = Members.bootstrap(config);
        set(MembershipPlan.add(boot, server3));
        set(MembershipPlan.replaceInGroups(state.membership().orElseThrow(), "server2", "server3"));
        set(MembershipPlan.remove(state.membership().orElseThrow(), "server2"));

        ClusterStatus s = StatusBuilder.build(config, state, "server1", "witness");
        assertEquals(List.of("server1", "witness", "server3"), s.getNodesList().stream().map(NodeStatus::getId).toList());
        assertEquals("127.0.0.4:7401", s.getNodes(2).getAdminAddress());
        assertEquals(List.of("server1", "server3"), s.getGroups(0).getPreferenceList());
        assertEquals(3, s.getMembershipVersion());
        assertTrue(s.getMembershipMismatch().contains("mismatch") && s.getMembershipMismatch().contains("server2")
                && s.getMembershipMismatch().contains("lacks server3"), s.getMembershipMismatch());
    }
}
