package io.baton.coordinator.core;

import static io.baton.coordinator.core.ControllerTest.MS;
import static io.baton.coordinator.core.ControllerTest.T0;
import static io.baton.coordinator.core.ControllerTest.TIMING;
import static io.baton.coordinator.core.CoreFixture.released;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.Command;
import io.baton.proto.MoveGroup;
import io.baton.proto.ResultCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Automatic failback (group back: [a, b], failback after 60 s): the controller moves a group back to its
 * preferred member once that member has been eligible for failback_after without interruption, once.
 */
class ControllerFailbackTest {
    private static final long AFTER = 60_000 * MS;
    private final CoreFixture f = PolicyFixture.allAlive();
    private final Controller controller = new Controller(PolicyFixture.TOPOLOGY, TIMING);
    private final Map<String, Long> heard = new HashMap<>();
    private FailbackWatch watch = FailbackWatch.NONE;

    ControllerFailbackTest() {
        // app and halt are stopped so that only back's decisions show.
        f.ok(CoreFixture.stop("app"));
        f.ok(CoreFixture.stop("halt"));
        PolicyFixture.online(f, "back", "b");
    }

    /** Every node heard at {@code now}, then the failback moves decided at {@code now}. */
    private List<Command> tick(long now) {
        heard.put("a", now);
        heard.put("b", now);
        return tickHeard(now);
    }

    /** The failback moves decided at {@code now}, with {@link #heard} as it is. */
    private List<Command> tickHeard(long now) {
        Controller.Decision d = controller.decide(f.state, new Liveness(T0 - 600_000 * MS, heard), watch, now);
        watch = d.failback();
        return d.commands().stream().filter(Command::hasMove).toList();
    }

    private static Command failback(String group, String to, long epoch) {
        return Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(group).setTo(to).setFailbackEpoch(epoch)).build();
    }

    @Test
    void movesBackOnceThePreferredMemberHasBeenEligibleForFailbackAfter() {
        assertEquals(List.of(), tick(T0));
        assertEquals(List.of(), tick(T0 + AFTER - 1));
        assertEquals(List.of(failback("back", "a", 1)), tick(T0 + AFTER));
        assertEquals(List.of(), tick(T0 + AFTER + 1_000 * MS), "once");
    }

    @Test
    void anInterruptionStartsTheWaitAgain() {
        tick(T0);
        heard.put("b", T0 + 30_000 * MS);
        heard.put("a", T0);
        assertEquals(List.of(), tickHeard(T0 + 30_000 * MS), "a not heard lately: not eligible");
        assertTrue(watch.byGroup().isEmpty());
        tick(T0 + 31_000 * MS);
        assertEquals(List.of(), tick(T0 + 31_000 * MS + AFTER - 1));
        assertEquals(List.of(failback("back", "a", 1)), tick(T0 + 31_000 * MS + AFTER));
    }

    @Test
    void noFailbackToAMemberInStandbyWithAFailureOrDown() {
        f.ok(CoreFixture.standby("a", true));
        tick(T0);
        assertEquals(List.of(), tick(T0 + 2 * AFTER));
        f.ok(CoreFixture.standby("a", false));
        f.ok(CoreFixture.liveness("a", false));
        assertEquals(List.of(), tick(T0 + 3 * AFTER));
        assertTrue(watch.byGroup().isEmpty());
    }

    @Test
    void noFailbackInMaintenanceOrWhileTheOwnerIsNotHeard() {
        f.ok(CoreFixture.maintenance("back", true));
        tick(T0);
        assertEquals(List.of(), tick(T0 + 2 * AFTER));
        f.ok(CoreFixture.maintenance("back", false));
        tick(T0 + 2 * AFTER);
        heard.put("a", T0 + 4 * AFTER);
        heard.put("b", T0);
        assertEquals(List.of(), tickHeard(T0 + 4 * AFTER), "the owner may be gone: a takeover, not a failback");
    }

    @Test
    void aGroupOnItsPreferredMemberOrWithoutFailbackIsLeftAlone() {
        f.ok(CoreFixture.start("app", ""));
        f.ok(CoreFixture.start("halt", ""));
        PolicyFixture.online(f, "app", "b");
        PolicyFixture.online(f, "halt", "b");
        tick(T0);
        assertEquals(List.of("back"), List.copyOf(watch.byGroup().keySet()), "app and halt never fail back");
        tick(T0 + AFTER);
        f.ok(f.decidedGrant("back", "a")); // any new grant
        tick(T0 + AFTER);
        assertTrue(watch.byGroup().isEmpty(), "back is on a, its preferred member");
    }

    @Test
    void aNewEpochStartsANewWatch() {
        tick(T0);
        f.ok(CoreFixture.move("back", "b")); // already there: nothing changes
        f.ok(f.decidedRevoke("back"));
        PolicyFixture.online(f, "back", "b");
        assertEquals(List.of(), tick(T0 + AFTER), "epoch 2 since a moment ago");
        assertEquals(List.of(failback("back", "a", 2)), tick(T0 + 2 * AFTER));
    }

    @Test
    void theCoreAppliesAFailbackAsAMoveAndRefusesOneThatLostARace() {
        f.ok(failback("back", "a", 1));
        assertEquals(Phase.RELEASING, f.group("back").phase);
        assertEquals("a", f.group("back").moveTarget);
        assertEquals("failback: a is preferred and has been eligible for 1m", f.lastEvent().getMessage());
        f.beat("b", released("back", 1));
        assertEquals("a", f.group("back").owner);

        f.beat("a", report("back", 2, ActivityProto.ACTIVITY_ACTIVE));
        f.ok(CoreFixture.move("back", "b"));
        f.beat("a", released("back", 2));
        f.beat("b", report("back", 3, ActivityProto.ACTIVITY_ACTIVE));
        assertEquals(Phase.ONLINE, f.group("back").phase);
        Command decided = failback("back", "a", 3);
        f.ok(CoreFixture.stop("back"));
        f.refused(decided, ResultCode.RESULT_STALE, "failback of 'back' decided at epoch 3", "releasing");
        f.refused(failback("back", "a", 2), ResultCode.RESULT_STALE, "epoch 2");
    }

    @Test
    void aFailbackInMaintenanceIsStale() {
        f.ok(CoreFixture.maintenance("back", true));
        f.refused(failback("back", "a", 1), ResultCode.RESULT_STALE, "maintenance");
    }
}
