package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.AppliedConfigProto;
import io.baton.proto.ApplyConfig;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResultCode;
import io.baton.proto.SetProtocolVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ApplyConfig: an operator's change of the groups, checked against the replicated state alone. */
class CoreConfigChangeTest {
    private static final Topology.GroupSpec WEB = new Topology.GroupSpec("web", List.of("server1", "server2"), true);
    private static final Topology.GroupSpec API = new Topology.GroupSpec("api", List.of("server2", "server1"), true);

    private static Command apply(long expected, List<Topology.GroupSpec> groups, String... offlineRequired) {
        AppliedConfigProto.Builder c = AppliedConfigProto.newBuilder().setSha256("abc").setText("cluster: {}");
        groups.forEach(g -> c.addGroups(ConfigChange.proto(g)));
        return Command.newBuilder().setApplyConfig(ApplyConfig.newBuilder().setExpectedVersion(expected).setConfig(c)
                .addAllOfflineRequired(List.of(offlineRequired)).setSummary("test change")).build();
    }

    /** web online on server1, at protocol 4, every node running the file's configuration. */
    private static CoreFixture cluster() {
        CoreFixture f = new CoreFixture();
        f.allAlive();
        f.ok(Command.newBuilder().setSetProtocol(SetProtocolVersion.newBuilder().setVersion(Protocol.CONFIG_APPLY)).build());
        f.ok(CoreFixture.grant("web", "server1", 0));
        f.beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE));
        return f;
    }

    private static void runs(CoreFixture f, String node, long configVersion) {
        f.ok(Command.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1)
                .setSeq(1000 + f.index()).setConfigVersion(configVersion)).build());
    }

    @Test
    void aGroupAddedStartsOfflineAndIsGrantedOnlyToANodeRunningTheNewVersion() {
        CoreFixture f = cluster();
        f.ok(apply(0, List.of(WEB, API)));
        assertEquals(1, f.state.configVersion());
        assertTrue(f.state.group("api").isPresent());
        assertEquals(List.of("server2", "server1"), f.core.topology(f.state).group("api").orElseThrow().members());
        assertEquals("config", f.lastEvent().getKind());
        assertTrue(f.lastEvent().getMessage().contains("configuration version 1 applied: test change"), f.lastEvent().getMessage());
        assertTrue(f.state.configBehind("server2"));
        f.refused(CoreFixture.grant("api", "server2", 0), ResultCode.RESULT_STALE, "configuration version 0, not yet 1");
        runs(f, "server2", 1);
        assertFalse(f.state.configBehind("server2"));
        f.ok(CoreFixture.grant("api", "server2", 0));
        assertEquals(Phase.ONLINE, f.group("web").phase, "the group that did not change is left alone");
    }

    @Test
    void aGroupWithoutAutostartWaitsForAStart() {
        CoreFixture f = cluster();
        f.ok(apply(0, List.of(WEB, new Topology.GroupSpec("api", List.of("server2", "server1"), false))));
        assertTrue(f.group("api").adminStopped);
    }

    @Test
    void onlyAtTheVersionReadAndOnlyFromProtocol4() {
        CoreFixture f = cluster();
        f.ok(apply(0, List.of(WEB, API)));
        f.refused(apply(0, List.of(WEB)), ResultCode.RESULT_STALE, "version 1, not 0");
        CoreFixture old = new CoreFixture();
        old.allAlive();
        old.refused(apply(0, List.of(WEB, API)), ResultCode.RESULT_FAILED_PRECONDITION, "needs 4", "upgrade");
    }

    @Test
    void refusesToRemoveOrRebuildAGroupThatHasAnOwner() {
        CoreFixture f = cluster();
        f.refused(apply(0, List.of(API)), ResultCode.RESULT_FAILED_PRECONDITION, "group 'web' is online on server1",
                "batonctl stop web");
        f.refused(apply(0, List.of(WEB), "web"), ResultCode.RESULT_FAILED_PRECONDITION, "resources change", "stopped first");
        f.refused(apply(0, List.of(new Topology.GroupSpec("web", List.of("server2"), true))),
                ResultCode.RESULT_FAILED_PRECONDITION, "node 'server1' owns group 'web'", "move it first");
    }

    @Test
    void refusesMembersThatAreNotDataNodesAndAMirrorDiskAdded() {
        CoreFixture f = cluster();
        f.refused(apply(0, List.of(WEB, new Topology.GroupSpec("api", List.of("witness"), true))),
                ResultCode.RESULT_FAILED_PRECONDITION, "'witness' is a witness");
        f.refused(apply(0, List.of(WEB, new Topology.GroupSpec("api", List.of("server9"), true))),
                ResultCode.RESULT_FAILED_PRECONDITION, "'server9' is not a node");
        f.refused(apply(0, List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true, true))),
                ResultCode.RESULT_FAILED_PRECONDITION, "mirror disk cannot be added");
        f.refused(apply(0, List.of(WEB, WEB)), ResultCode.RESULT_FAILED_PRECONDITION, "listed twice");
    }

    @Test
    void aStoppedGroupIsRemovedAndItsPolicyAndMembersChangeLive() {
        CoreFixture f = cluster();
        f.ok(CoreFixture.stop("web"));
        f.beat("server1", CoreFixture.released("web", 1));
        assertEquals(null, f.group("web").owner);
        f.ok(apply(0, List.of(API)));
        assertFalse(f.state.group("web").isPresent());
        GroupPolicy failback = new GroupPolicy(GroupPolicy.OnFailure.STOP, 1, 60_000, 0, GroupPolicy.Failback.AUTO, 5_000);
        f.ok(apply(1, List.of(new Topology.GroupSpec("api", List.of("server1", "server2"), true, false, failback))));
        assertEquals(failback, f.core.topology(f.state).policy("api"));
        assertEquals(List.of("server1", "server2"), f.core.topology(f.state).group("api").orElseThrow().members());
    }

    @Test
    void theAppliedConfigurationSurvivesASnapshot() {
        CoreFixture f = cluster();
        f.ok(apply(0, List.of(WEB, API)));
        runs(f, "server2", 1);
        ClusterStateProto p = StateCodec.toProto(f.state);
        ClusterState back = StateCodec.fromProto(p, CoreFixture.TOPOLOGY);
        assertEquals(p, StateCodec.toProto(back));
        assertEquals(1, back.configVersion());
        assertTrue(back.group("api").isPresent(), "a group that only the applied configuration has");
        assertFalse(back.configBehind("server2"));
    }
}
