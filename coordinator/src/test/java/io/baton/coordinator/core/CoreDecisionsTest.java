package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreAuthorityTest.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Decisions;
import io.baton.proto.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A controller round in one entry: each decision applied and judged on its own. */
class CoreDecisionsTest {
    private final CoreFixture f = new CoreFixture();

    private static Command round(Command... decisions) {
        return Command.newBuilder().setDecisions(Decisions.newBuilder().addAllCommands(List.of(decisions))).build();
    }

    @Test
    void eachDecisionStandsOrFallsOnItsOwn() {
        f.allAlive();
        f.ok(CoreFixture.start("batch", "server1"));
        CommandResult r = f.ok(as(round(CoreFixture.grant("web", "server1", 0), CoreFixture.grant("db", "server2", 7),
                CoreFixture.liveness("witness", false), CoreFixture.stop("batch")), "witness", "witness"));
        assertEquals(4, r.getResultsCount());
        assertEquals(ResultCode.RESULT_OK, r.getResults(0).getCode());
        assertEquals(ResultCode.RESULT_STALE, r.getResults(1).getCode(), "expected epoch 7");
        assertEquals(ResultCode.RESULT_OK, r.getResults(2).getCode());
        assertEquals(ResultCode.RESULT_INVALID_ARGUMENT, r.getResults(3).getCode(), "an operator's stop is no decision");
        assertEquals("server1", f.group("web").owner);
        assertNull(f.group("db").owner);
        assertTrue(!f.node("witness").alive);
        assertTrue(!f.group("batch").adminStopped, "nothing but decisions inside: batch still runs");
        assertEquals("2 of 4 decisions applied", r.getMessage());
    }

    @Test
    void decisionsProposedByAnotherNodeThanTheLeaderAreRefusedOneByOne() {
        f.allAlive();
        CommandResult r = f.ok(as(round(CoreFixture.grant("web", "server2", 0), CoreFixture.grant("db", "server2", 0)),
                "server2", "witness"));
        assertEquals(ResultCode.RESULT_PERMISSION_DENIED, r.getResults(0).getCode());
        assertEquals(ResultCode.RESULT_PERMISSION_DENIED, r.getResults(1).getCode());
        assertNull(f.group("web").owner);
    }

    @Test
    void aRoundWithOneDecisionIsThatDecisionAndOthersStayApart() {
        Command grant = CoreFixture.grant("web", "server1", 0);
        Command move = CoreFixture.move("web", "server2");
        assertEquals(List.of(grant, move), ControllerRound.entries(List.of(grant, move)));
        List<Command> two = ControllerRound.entries(List.of(move, grant, CoreFixture.liveness("witness", false)));
        assertEquals(2, two.size());
        assertEquals(2, two.get(0).getDecisions().getCommandsCount());
        assertEquals(move, two.get(1));
    }
}
