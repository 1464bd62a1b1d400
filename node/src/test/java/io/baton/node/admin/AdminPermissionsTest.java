package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.baton.coordinator.core.CommandAuthority;
import io.baton.node.security.Role;
import io.baton.proto.Command;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may call what on the admin API: each role includes the ones before it; a node only reads. */
class AdminPermissionsTest {
    private static final AdminCaller ALICE = new AdminCaller("alice", Role.VIEWER, false);
    private static final AdminCaller BOB = new AdminCaller("bob", Role.OPERATOR, false);
    private static final AdminCaller CAROL = new AdminCaller("carol", Role.ADMIN, false);
    private static final AdminCaller NODE = new AdminCaller("server1", Role.VIEWER, true);

    @Test
    void aViewerReadsOnly() {
        assertNull(AdminPermissions.problem(ALICE, "Status"));
        assertNull(AdminPermissions.problem(ALICE, "Watch"));
        assertEquals("permission denied: alice (viewer) may not move", AdminPermissions.problem(ALICE, "Move"));
        assertEquals("permission denied: alice (viewer) may not clear", AdminPermissions.problem(ALICE, "Clear"));
    }

    @Test
    void anOperatorChangesButDoesNotOverride() {
        for (String method : new String[] {"Status", "Watch", "Move", "Start", "Stop", "Maintenance", "NodeStandby", "Clear"}) {
            assertNull(AdminPermissions.problem(BOB, method), method);
        }
        assertEquals("permission denied: bob (operator) may not force-activate",
                AdminPermissions.problem(BOB, "ForceActivate"));
    }

    @Test
    void anAdminMayDoEverything() {
        assertNull(AdminPermissions.problem(CAROL, "ForceActivate"));
        assertNull(AdminPermissions.problem(CAROL, "Move"));
    }

    @Test
    void aNodeCertificateIsNotAnOperator() {
        assertNull(AdminPermissions.problem(NODE, "Status"));
        assertEquals("permission denied: node server1 may not move (a node's certificate is not an operator's)",
                AdminPermissions.problem(NODE, "Move"));
    }

    @Test
    void aMethodNobodyListedNeedsAdmin() {
        assertEquals("permission denied: bob (operator) may not Replace", AdminPermissions.problem(BOB, "Replace"));
        assertNull(AdminPermissions.problem(CAROL, "Replace"));
    }

    /**
     * The admin API refuses a call before anything is proposed; the state machine checks the same role
     * again when it applies the command (CommandAuthority). The two tables must agree.
     */
    @Test
    void theRoleEachCommandNeedsIsTheSameWhenAppliedAsAtTheAdminApi() {
        Map<String, Command.KindCase> commands = Map.of("Move", Command.KindCase.MOVE, "Start", Command.KindCase.START,
                "Stop", Command.KindCase.STOP, "Maintenance", Command.KindCase.SET_MAINTENANCE,
                "NodeStandby", Command.KindCase.NODE_STANDBY, "Clear", Command.KindCase.CLEAR_FAILURES,
                "ForceActivate", Command.KindCase.FORCE_ACTIVATE);
        commands.forEach((method, kind) ->
                assertEquals(AdminPermissions.rule(method).needs().id(), CommandAuthority.roleNeeded(kind), method));
    }
}
