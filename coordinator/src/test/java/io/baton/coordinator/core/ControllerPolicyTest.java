package io.baton.coordinator.core;

import static io.baton.coordinator.core.ControllerTest.MS;
import static io.baton.coordinator.core.ControllerTest.T0;
import static io.baton.coordinator.core.ControllerTest.TIMING;
import static io.baton.coordinator.core.CoreFixture.monitorFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Command;
import io.baton.proto.Grant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller with maintenance, standby, failure records and held groups. */
class ControllerPolicyTest {
    private final CoreFixture f = PolicyFixture.allAlive();
    private final Controller controller = new Controller(PolicyFixture.TOPOLOGY, TIMING);
    private final Map<String, Long> heard = new HashMap<>(Map.of("a", T0, "b", T0, "c", T0, "w", T0));
    private final long leaderSince = T0 - 60_000 * MS;

    /** The grants and revokes decided at {@code now}, by group. */
    private Map<String, Command> decide(long now) {
        Map<String, Command> byGroup = new HashMap<>();
        for (Command c : controller.decide(f.state, new Liveness(leaderSince, heard), now)) {
            if (c.hasGrant()) {
                byGroup.put(c.getGrant().getGroup(), c);
            } else if (c.hasRevoke()) {
                byGroup.put(c.getRevoke().getGroup(), c);
            }
        }
        return byGroup;
    }

    private static Grant start(String group, String node, long epoch, String reason) {
        return Grant.newBuilder().setGroup(group).setNode(node).setExpectedEpoch(epoch).setReason(reason).build();
    }

    @Test
    void aGroupInMaintenanceIsNeitherStartedNorTakenOver() {
        f.ok(CoreFixture.maintenance("app", true));
        assertEquals(List.of("back", "halt"), decide(T0).keySet().stream().sorted().toList());

        PolicyFixture.online(f, "halt", "a");
        f.ok(CoreFixture.maintenance("halt", true));
        heard.put("a", T0 - TIMING.takeoverAfterNanos());
        assertEquals(List.of("back"), List.copyOf(decide(T0).keySet()), "halt's owner's lease ran out: no takeover either");

        f.ok(CoreFixture.maintenance("", false));
        Map<String, Command> d = decide(T0);
        assertEquals(List.of("app", "back", "halt"), d.keySet().stream().sorted().toList());
        assertEquals("b", d.get("halt").getGrant().getNode(), "a's lease ran out: taken over");
    }

    @Test
    void aNodeInStandbyIsNeverPicked() {
        f.ok(CoreFixture.standby("a", true));
        Map<String, Command> d = decide(T0);
        assertEquals(start("app", "b", 0, "automatic start"), d.get("app").getGrant());
        assertEquals(start("halt", "b", 0, "automatic start"), d.get("halt").getGrant());
    }

    @Test
    void aNodeInStandbyIsNotWaitedForJustAfterAnElection() {
        f.ok(CoreFixture.standby("a", true));
        Map<String, Command> d = controller.decide(f.state, new Liveness(T0, heard), T0 + MS).stream()
                .filter(Command::hasGrant).collect(java.util.stream.Collectors.toMap(c -> c.getGrant().getGroup(), c -> c));
        assertEquals("b", d.get("app").getGrant().getNode(), "a would be the first choice, but it is in standby");
    }

    @Test
    void aMonitorFailoverGoesToTheNextMemberWithoutAFailureRecord() {
        PolicyFixture.online(f, "app", "a");
        f.beat("a", monitorFailed("app", 1, "app: refused"));
        assertEquals(start("app", "b", 1, "failed on a"), decide(T0).get("app").getGrant());
    }

    @Test
    void withEveryMemberFailedTheGroupWaitsUntilARecordExpires() {
        for (String n : List.of("a", "b", "c")) {
            PolicyFixture.online(f, "app", n);
            f.beat(n, monitorFailed("app", f.group("app").epoch, "app: refused"));
        }
        assertEquals(null, decide(T0).get("app"), "nowhere to go: it waits failed");
        f.advanceWallMs(10 * PolicyFixture.MINUTE_MS);
        f.beat("w");
        assertEquals("a", decide(T0).get("app").getGrant().getNode(), "a's record expired first");
    }

    @Test
    void aHeldGroupIsStartedNowhere() {
        PolicyFixture.online(f, "halt", "a");
        f.beat("a", monitorFailed("halt", 1, "down"));
        assertEquals(null, decide(T0).get("halt"));
        f.ok(CoreFixture.clear("halt", ""));
        assertEquals(start("halt", "a", 1, "automatic start"), decide(T0).get("halt").getGrant(),
                "cleared: a is eligible again");
    }
}
