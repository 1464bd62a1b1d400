package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.Event;
import org.junit.jupiter.api.Test;

class EventLineTest {

    @Test
    void formatsInUtcWithPaddedKind() {
        Event granted = Event.newBuilder().setWallTimeMs(1_795_552_262_123L).setKind("granted").setGroup("web")
                .setNode("server2").setEpoch(7).setMessage("moved by operator\n").build();
        assertEquals("2026-11-24T20:31:02.123Z  granted         web  server2  epoch 7  moved by operator",
                EventLine.format(granted));
        Event down = Event.newBuilder().setWallTimeMs(0).setKind("node-down").setNode("witness").build();
        assertEquals("1970-01-01T00:00:00.000Z  node-down       -  witness", EventLine.format(down));
    }

    @Test
    void longKindsKeepAGapBeforeTheGroup() {
        io.baton.proto.Event e = io.baton.proto.Event.newBuilder().setWallTimeMs(0).setKind("force-activate")
                .setGroup("disk").setNode("server2").setEpoch(8)
                .setMessage("accepted data loss: replica of server2 was Outdated").build();
        assertEquals("1970-01-01T00:00:00.000Z  force-activate  disk  server2  epoch 8  accepted data loss: replica of"
                + " server2 was Outdated", EventLine.format(e));
    }

    @Test
    void anOperatorsEventNamesTheCallerLast() {
        Event move = Event.newBuilder().setWallTimeMs(0).setKind("move").setGroup("web").setNode("server2")
                .setMessage("move requested").setCaller("alice (operator)").build();
        assertEquals("1970-01-01T00:00:00.000Z  move            web  server2  move requested  by alice (operator)",
                EventLine.format(move));
    }
}
