package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static io.baton.coordinator.core.CoreFixture.released;
import static io.baton.coordinator.core.CoreFixture.standby;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node in standby is eligible for no group; going there moves its groups away first. */
class CoreStandbyTest {
    private final CoreFixture f = PolicyFixture.allAlive();

    @Test
    void standbyMovesEveryGroupTheNodeOwnsToItsNextEligibleMember() {
        PolicyFixture.online(f, "app", "a");
        PolicyFixture.online(f, "halt", "a");
        PolicyFixture.online(f, "back", "b");
        int before = f.state.events().size();
        assertEquals("a is in standby; moving app to b, halt to b", f.ok(standby("a", true)).getMessage());
        assertTrue(f.node("a").standby());
        for (String g : List.of("app", "halt")) {
            assertEquals(Phase.RELEASING, f.group(g).phase, g);
            assertEquals("b", f.group(g).moveTarget, g);
            assertEquals("a", f.group(g).owner, g);
        }
        assertEquals(Phase.ONLINE, f.group("back").phase, "a group a does not own stays");
        assertEquals(List.of("standby", "move", "move"), f.kindsSince(before));
        Event e = f.state.events().get(before);
        assertEquals("a", e.getNode());
        assertEquals("a in standby; moving app to b, halt to b", e.getMessage());
        assertEquals("a goes into standby: moving app to b", f.state.events().get(before + 1).getMessage());

        f.beat("a", released("app", 1));
        assertEquals("b", f.group("app").owner, "the move completes as any move does");
    }

    @Test
    void theTargetIsTheFirstMemberThatIsUpNotInStandbyAndHasNotFailed() {
        f.ok(standby("b", true));
        PolicyFixture.online(f, "app", "a");
        assertEquals("a is in standby; moving app to c", f.ok(standby("a", true)).getMessage());
    }

    @Test
    void standbyIsRefusedAndChangesNothingWhenAnOwnedGroupHasNowhereToGo() {
        PolicyFixture.online(f, "app", "a");
        PolicyFixture.online(f, "halt", "a");
        f.ok(CoreFixture.liveness("b", false));
        f.refused(standby("a", true), ResultCode.RESULT_FAILED_PRECONDITION,
                "node 'a' cannot go into standby: group 'halt' has no other member to move to (b is down)");
    }

    @Test
    void theRefusalSaysWhyEachOtherMemberWillNotDo() {
        PolicyFixture.online(f, "app", "b");
        f.beat("b", monitorFailed("app", 1, "app: refused"));
        PolicyFixture.online(f, "app", "a");
        f.ok(standby("c", true));
        f.refused(standby("a", true), ResultCode.RESULT_FAILED_PRECONDITION,
                "group 'app' has no other member to move to (app failed on b (app: refused); c is in standby)");
    }

    @Test
    void aNodeThatOwnsNothingGoesIntoStandbyAtOnce() {
        assertEquals("c is in standby (it owns no group)", f.ok(standby("c", true)).getMessage());
        assertEquals("c in standby; it owns no group", f.lastEvent().getMessage());
        assertEquals("c is already in standby", f.ok(standby("c", true)).getMessage());
    }

    @Test
    void onlineEndsStandbyWithAnEvent() {
        f.ok(standby("c", true));
        assertEquals("c is online: eligible for groups again", f.ok(standby("c", false)).getMessage());
        assertFalse(f.node("c").standby());
        assertEquals("online", f.lastEvent().getKind());
        assertEquals("c", f.lastEvent().getNode());
        int before = f.state.events().size();
        assertEquals("c is not in standby", f.ok(standby("c", false)).getMessage());
        assertEquals(before, f.state.events().size());
    }

    @Test
    void standbyOfAnUnknownNodeOrAWitnessIsRefused() {
        f.refused(standby("nope", true), ResultCode.RESULT_NOT_FOUND, "unknown node 'nope'");
        f.refused(standby("w", true), ResultCode.RESULT_INVALID_ARGUMENT, "'w' is a witness");
    }

    @Test
    void movesAndStartsToANodeInStandbyAreRefused() {
        f.ok(standby("b", true));
        String why = "node 'b' is in standby; 'batonctl node online b' first";
        f.refused(CoreFixture.start("app", "b"), ResultCode.RESULT_FAILED_PRECONDITION, why);
        PolicyFixture.online(f, "app", "a");
        f.refused(CoreFixture.move("app", "b"), ResultCode.RESULT_FAILED_PRECONDITION, why);
    }

    @Test
    void aControllerGrantToANodeThatWentIntoStandbyIsStale() {
        var grant = f.decidedGrant("app", "b");
        f.ok(standby("b", true));
        f.refused(grant, ResultCode.RESULT_STALE, "'b' is in standby");
    }

    @Test
    void aMoveWhoseTargetWentIntoStandbyIsCancelledAtTheRelease() {
        PolicyFixture.online(f, "app", "a");
        f.ok(CoreFixture.move("app", "c"));
        f.ok(standby("c", true));
        f.beat("a", released("app", 1));
        GroupState g = f.group("app");
        assertNull(g.owner);
        assertEquals(Phase.OFFLINE, g.phase);
        assertEquals("move-cancelled", f.lastEvent().getKind());
        assertEquals("node 'c' went into standby", f.lastEvent().getMessage());
    }
}
