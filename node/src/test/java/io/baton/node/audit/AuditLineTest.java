package io.baton.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.baton.proto.Event;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AuditLineTest {

    @Test
    void everyFieldInAFixedOrderWithTheTimeInUtc() {
        Event e = Event.newBuilder().setSeq(42).setWallTimeMs(1_795_552_262_000L).setKind("move").setGroup("web")
                .setNode("server2").setEpoch(7).setMessage("move requested").setCaller("alice (operator)")
                .setLogIndex(1234).build();
        assertEquals("{\"seq\":42,\"time\":\"2026-11-24T20:31:02.000Z\",\"wall_time_ms\":1795552262000,"
                + "\"kind\":\"move\",\"group\":\"web\",\"node\":\"server2\",\"epoch\":7,\"message\":\"move requested\","
                + "\"caller\":\"alice (operator)\",\"log_index\":1234}", AuditLine.of(e));
    }

    @Test
    void emptyFieldsArePresentAndANewlineNeverSplitsTheLine() {
        Event e = Event.newBuilder().setSeq(1).setKind("node-down").setNode("witness").setMessage("a\nb\u2028c").build();
        String line = AuditLine.of(e);
        assertFalse(line.contains("\n"), line);
        assertEquals("{\"seq\":1,\"time\":\"1970-01-01T00:00:00.000Z\",\"wall_time_ms\":0,\"kind\":\"node-down\","
                + "\"group\":\"\",\"node\":\"witness\",\"epoch\":0,\"message\":\"a\\nb\u2028c\",\"caller\":\"\","
                + "\"log_index\":0}", line);
    }

    @Test
    void theSeqIsReadBackAndAnythingElseIsNotALine() {
        assertEquals(OptionalLong.of(42), AuditLine.seqOf(AuditLine.of(Event.newBuilder().setSeq(42).build())));
        assertEquals(OptionalLong.empty(), AuditLine.seqOf("{\"seq\":42,\"time\":\"2026-"));
        assertEquals(OptionalLong.empty(), AuditLine.seqOf("{\"seq\":\"42\"}"));
        assertEquals(OptionalLong.empty(), AuditLine.seqOf("{\"seq\":0}"));
        assertEquals(OptionalLong.empty(), AuditLine.seqOf("not json"));
        assertEquals(OptionalLong.empty(), AuditLine.seqOf(""));
    }
}
