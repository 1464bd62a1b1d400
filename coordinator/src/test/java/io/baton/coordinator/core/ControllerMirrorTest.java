package io.baton.coordinator.core;

import static io.baton.proto.ReplicaStateProto.REPLICA_INCONSISTENT;
import static io.baton.proto.ReplicaStateProto.REPLICA_OUTDATED;
import static io.baton.proto.ReplicaStateProto.REPLICA_UP_TO_DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Command;
import io.baton.proto.ResultCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller never proposes a grant of a mirrored group to a replica that is not UpToDate. */
class ControllerMirrorTest {
    static final long MS = 1_000_000L;
    static final Timing TIMING = ControllerTest.TIMING;
    static final long T0 = ControllerTest.T0;

    private final Controller controller = new Controller(MirrorFixture.TOPOLOGY, TIMING);
    private final Map<String, Long> heard = new HashMap<>();

    private List<Command> forG(CoreFixture f, long now) {
        return controller.decide(f.state, new Liveness(T0 - 60_000 * MS, heard), now).stream()
                .filter(c -> (c.hasGrant() && c.getGrant().getGroup().equals("g"))
                        || (c.hasRevoke() && c.getRevoke().getGroup().equals("g")))
                .toList();
    }

    @Test
    void anOutdatedReplicaIsNeverGrantedWhileTheOwnerIsDown() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        long takeover = T0 + TIMING.takeoverAfterNanos();
        heard.put("a", T0);
        heard.put("b", takeover - 10 * MS);
        heard.put("c", takeover - 10 * MS);
        List<Command> decided = forG(f, takeover);
        assertEquals(1, decided.size());
        assertTrue(decided.get(0).hasRevoke(), "nobody else may take g over: " + decided);
        assertTrue(decided.get(0).getRevoke().getReason().contains("no other node is eligible"));
        f.ok(decided.get(0));
        assertNull(f.group("g").owner());
        // b and c stay up and heard for a long time: g waits offline for an UpToDate replica.
        for (long t = takeover; t < takeover + 60_000 * MS; t += 1_000 * MS) {
            heard.put("b", t);
            heard.put("c", t);
            assertEquals(List.of(), forG(f, t));
        }
    }

    @Test
    void takeoverGoesToAnUpToDateReplicaEvenIfLessPreferred() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_UP_TO_DATE);
        long takeover = T0 + TIMING.takeoverAfterNanos();
        heard.put("a", T0);
        heard.put("b", takeover - 10 * MS);
        heard.put("c", takeover - 10 * MS);
        List<Command> decided = forG(f, takeover);
        assertEquals(1, decided.size());
        assertEquals("c", decided.get(0).getGrant().getNode());
        assertEquals(ResultCode.RESULT_OK, f.apply(decided.get(0)).getCode());
    }

    @Test
    void theOwnerComingBackGetsItsGroupAgain() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        f.ok(CoreFixture.liveness("a", false));
        f.ok(f.decidedRevoke("g"));
        f.beat("a");
        long now = T0 + 10_000 * MS;
        heard.put("a", now - 10 * MS);
        heard.put("b", now - 10 * MS);
        heard.put("c", now - 10 * MS);
        List<Command> decided = forG(f, now);
        assertEquals(1, decided.size());
        assertEquals("a", decided.get(0).getGrant().getNode());
    }
}
