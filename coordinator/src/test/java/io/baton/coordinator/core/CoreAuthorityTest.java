package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.clear;
import static io.baton.coordinator.core.CoreFixture.forceActivate;
import static io.baton.coordinator.core.CoreFixture.grant;
import static io.baton.coordinator.core.CoreFixture.heartbeat;
import static io.baton.coordinator.core.CoreFixture.liveness;
import static io.baton.coordinator.core.CoreFixture.maintenance;
import static io.baton.coordinator.core.CoreFixture.move;
import static io.baton.coordinator.core.CoreFixture.replicaUpdate;
import static io.baton.coordinator.core.CoreFixture.revoke;
import static io.baton.coordinator.core.CoreFixture.standby;
import static io.baton.coordinator.core.CoreFixture.start;
import static io.baton.coordinator.core.CoreFixture.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.baton.proto.Caller;
import io.baton.proto.Command;
import io.baton.proto.Incarnate;
import io.baton.proto.MoveGroup;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ResultCode;
import org.junit.jupiter.api.Test;

/**
 * Who may propose what (issue 10, item 7), applied by the real core: a refusal is
 * {@code RESULT_PERMISSION_DENIED}, names who and what, and changes nothing ({@link CoreFixture#refused}).
 */
class CoreAuthorityTest {
    private static final ResultCode DENIED = ResultCode.RESULT_PERMISSION_DENIED;

    /** A cluster with TLS: operators' commands must carry their caller. */
    private final CoreFixture f = new CoreFixture(CoreFixture.TOPOLOGY, true);

    /** {@code c} as proposed by {@code proposer} and appended by {@code leader}. */
    static Command as(Command c, String proposer, String leader) {
        return c.toBuilder().setProposer(proposer).setAppendedBy(leader).build();
    }

    /** {@code c} asked by the operator {@code name} of {@code role}, relayed by server1, appended by the witness. */
    static Command asked(Command c, String name, String role) {
        return as(c.toBuilder().setCaller(Caller.newBuilder().setName(name).setRole(role)).build(), "server1", "witness");
    }

    @Test
    void theLeadersOwnDecisionsStand() {
        f.allAlive();
        f.ok(as(grant("web", "server1", 0), "witness", "witness"));
        f.ok(as(liveness("server2", false), "witness", "witness"));
        assertEquals("server1", f.group("web").owner());
    }

    @Test
    void aGrantRevokeOrLivenessFromAnotherMemberIsRefused() {
        f.allAlive();
        f.refused(as(grant("web", "server2", 0), "server2", "witness"), DENIED,
                "permission denied: a grant is the leader's decision; proposed by server2 while witness led");
        f.ok(as(grant("web", "server1", 0), "witness", "witness"));
        f.refused(as(revoke("web", 1), "server2", "witness"), DENIED, "a revoke is the leader's decision");
        f.refused(as(liveness("server1", false), "server2", "witness"), DENIED, "a liveness change is the leader's decision");
        Command failback = Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup("web").setTo("server2")
                .setFailbackEpoch(1)).build();
        f.refused(as(failback, "server2", "witness"), DENIED, "a failback is the leader's decision");
    }

    @Test
    void aNodeSpeaksOnlyForItself() {
        f.ok(as(heartbeat("server2", 1, 1), "server2", "witness"));
        f.refused(as(heartbeat("server1", 1, 1), "server2", "witness"), DENIED,
                "permission denied: a heartbeat in the name of 'server1' proposed by server2");
        f.refused(as(Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode("server1").setBoot(7)).build(),
                "server2", "witness"), DENIED, "an incarnation in the name of 'server1' proposed by server2");
        f.refused(as(replicaUpdate("web", "server2", ReplicaStateProto.REPLICA_UP_TO_DATE, "server1", 1),
                "server2", "witness"), DENIED, "a replica update in the name of 'server1' proposed by server2");
    }

    @Test
    void anOperatorsCommandNeedsACallerWhoseRoleAllowsIt() {
        f.webOnlineOnServer1();
        f.refused(as(move("web", "server2"), "server2", "witness"), DENIED,
                "permission denied: server2 may not move on its own; an operator must ask through the admin API");
        f.refused(as(stop("web"), "server1", "witness"), DENIED, "server1 may not stop on its own");
        f.refused(asked(move("web", "server2"), "alice", "viewer"), DENIED, "permission denied: alice (viewer) may not move");
        f.refused(asked(forceActivate("web", "server2"), "bob", "operator"), DENIED,
                "permission denied: bob (operator) may not force-activate");
        f.refused(asked(maintenance("web", true), "server1", "node"), DENIED, "server1 (node) may not set maintenance");
        f.refused(asked(start("batch", "server1"), "eve", ""), DENIED, "eve () may not start");
        f.refused(asked(standby("server2", true), "alice", "viewer"), DENIED, "may not set a node standby or online");
        f.refused(asked(clear("web", ""), "alice", "viewer"), DENIED, "alice (viewer) may not clear");
        f.ok(asked(move("web", "server2"), "bob", "operator"));
        assertEquals("server2", f.group("web").moveTarget());
    }

    @Test
    void theOwnerMayHandItsGroupOverWithoutACaller() {
        f.webOnlineOnServer1();
        f.ok(as(move("web", "server2"), "server1", "witness"));
        assertEquals("server2", f.group("web").moveTarget());
    }

    @Test
    void aProposerMustBeNamedAndAMember() {
        f.refused(heartbeat("server1", 1, 1).toBuilder().setAppendedBy("witness").build(), DENIED,
                "permission denied: a command without its proposer");
        f.refused(as(heartbeat("mallory", 1, 1), "mallory", "witness"), DENIED,
                "proposed by 'mallory', which is not a node of this cluster");
    }

    @Test
    void entriesWrittenBeforeProposersWereCheckedApplyAsThen() {
        f.allAlive();
        f.ok(grant("web", "server1", 0));
        f.ok(move("web", "server2"));
    }

    @Test
    void withoutTlsAnOperatorsCommandNeedsNoCallerButANodeStillSpeaksOnlyForItself() {
        CoreFixture plain = new CoreFixture(CoreFixture.TOPOLOGY, false);
        plain.webOnlineOnServer1();
        plain.ok(as(move("web", "server2"), "server2", "witness"));
        plain.refused(as(heartbeat("server1", 1, 9), "server2", "witness"), DENIED, "a heartbeat in the name of 'server1'");
        plain.refused(asked(move("web", "server1"), "alice", "viewer"), DENIED, "alice (viewer) may not move");
    }

    @Test
    void theRolesOperatorCommandsNeed() {
        assertEquals("operator", CommandAuthority.roleNeeded(Command.KindCase.MOVE));
        assertEquals("admin", CommandAuthority.roleNeeded(Command.KindCase.FORCE_ACTIVATE));
        assertNull(CommandAuthority.roleNeeded(Command.KindCase.GRANT));
    }
}
