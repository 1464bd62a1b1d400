package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.Event;
import io.baton.proto.GroupStateProto;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure records expire after the group's failure timeout, by the wall time stamped on each command. */
class CoreFailureExpiryTest {
    private static final long TIMEOUT_MS = 10 * PolicyFixture.MINUTE_MS;
    private final CoreFixture f = PolicyFixture.allAlive();

    /** app's monitor failed on a; returns the wall time the failure was committed at. */
    private long failedOnA() {
        PolicyFixture.online(f, "app", "a");
        long at = f.nextWallMs();
        f.beat("a", monitorFailed("app", 1, "app: connection refused"));
        return at;
    }

    /** Advances the clock so that the next command is stamped {@code wallMs}. */
    private void nextCommandAt(long wallMs) {
        f.advanceWallMs(wallMs - f.nextWallMs());
    }

    @Test
    void aFailureExpiresOnTheFirstCommandWhoseWallTimePassesTheTimeoutAndNotBefore() {
        long at = failedOnA();
        nextCommandAt(at + TIMEOUT_MS - 1);
        f.beat("b");
        assertEquals(List.of("a"), List.copyOf(f.group("app").failedOn()), "one millisecond early");

        int before = f.state.events().size();
        f.beat("b");
        assertEquals(List.of(), f.group("app").failures());
        assertEquals(List.of("failure-expired"), f.kindsSince(before));
        Event e = f.lastEvent();
        assertEquals("app", e.getGroup());
        assertEquals("a", e.getNode());
        assertEquals("the failure on a is 10m old (app: connection refused): a is eligible again", e.getMessage());
        assertEquals(Phase.FAILED, f.group("app").phase, "still failed: the controller starts it now that a is eligible");

        before = f.state.events().size();
        f.beat("b");
        assertEquals(before, f.state.events().size(), "expires once");
    }

    @Test
    void aRefusedCommandExpiresNothing() {
        long at = failedOnA();
        nextCommandAt(at + TIMEOUT_MS);
        f.refused(CoreFixture.move("app", "nowhere"), ResultCode.RESULT_NOT_FOUND, "nowhere");
        assertEquals(List.of("a"), List.copyOf(f.group("app").failedOn()));
        f.beat("b");
        assertEquals(List.of(), f.group("app").failures(), "the next accepted command does");
    }

    @Test
    void aCommandWithoutWallTimeExpiresNothing() {
        failedOnA();
        f.advanceWallMs(10 * TIMEOUT_MS);
        Command beat = CoreFixture.heartbeat("b", 9, 1);
        f.core.apply(f.state, beat, f.lastIndex() + 1);
        assertEquals(List.of("a"), List.copyOf(f.group("app").failedOn()));
    }

    @Test
    void aClockThatRunsBackwardsExpiresNothing() {
        long at = failedOnA();
        nextCommandAt(at - TIMEOUT_MS);
        f.beat("b");
        assertEquals(List.of("a"), List.copyOf(f.group("app").failedOn()));
    }

    @Test
    void anExpiryDoesNotEndAHold() {
        PolicyFixture.online(f, "halt", "a");
        long at = f.nextWallMs();
        f.beat("a", monitorFailed("halt", 1, "down"));
        nextCommandAt(at + TIMEOUT_MS);
        f.beat("b");
        assertEquals(List.of(), f.group("halt").failures());
        assertTrue(f.group("halt").held(), "only an operator ends a hold");
    }

    @Test
    void aFailureTimeoutOfZeroKeepsRecordsUntilAnOperatorClearsThem() {
        GroupPolicy forever = new GroupPolicy(GroupPolicy.OnFailure.FAILOVER, 3, GroupPolicy.HOUR_MS, 0,
                GroupPolicy.Failback.NEVER, 60_000);
        CoreFixture z = new CoreFixture(new Topology(PolicyFixture.TOPOLOGY.nodes(),
                List.of(new Topology.GroupSpec("z", List.of("a", "b"), true, false, forever))));
        z.allAlive();
        PolicyFixture.online(z, "z", "a");
        z.beat("a", monitorFailed("z", 1, "down"));
        z.advanceWallMs(1000 * TIMEOUT_MS);
        z.beat("b");
        assertEquals(List.of("a"), List.copyOf(z.group("z").failedOn()));
    }

    @Test
    void aFailureOfUnknownAgeFromAnOldSnapshotNeverExpires() {
        ClusterStateProto old = StateCodec.toProto(f.state).toBuilder()
                .setGroups(0, GroupStateProto.newBuilder().setName("app").setPhase(io.baton.proto.PhaseProto.PHASE_FAILED)
                        .setEpoch(1).addFailedOn("a"))
                .build();
        ClusterState s = StateCodec.fromProto(old, PolicyFixture.TOPOLOGY);
        assertEquals(List.of(new Failure("a", 0, "")), s.group("app").orElseThrow().failures());
        Core core = new Core(PolicyFixture.TOPOLOGY);
        core.apply(s, CoreFixture.heartbeat("b", 1, 99).toBuilder().setWallTimeMs(f.nextWallMs() + 100 * TIMEOUT_MS).build(),
                f.lastIndex() + 1);
        assertEquals(List.of("a"), List.copyOf(s.group("app").orElseThrow().failedOn()));
    }
}
