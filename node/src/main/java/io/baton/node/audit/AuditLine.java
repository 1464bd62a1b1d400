package io.baton.node.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.proto.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.OptionalLong;

/**
 * One event as one line of {@code events.jsonl}: a JSON object with the fields in a fixed order
 * (seq, time, wall_time_ms, kind, group, node, epoch, message, caller, log_index), every field
 * present even when empty, so that {@code jq} and line-oriented tools see one schema. Pure.
 */
public final class AuditLine {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Always with milliseconds, so that lines sort as text as they do by time. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private AuditLine() {
    }

    /** The line for {@code e}, without its newline (JSON escapes any newline inside a field). */
    public static String of(Event e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("seq", e.getSeq());
        o.put("time", TIME.format(Instant.ofEpochMilli(e.getWallTimeMs())));
        o.put("wall_time_ms", e.getWallTimeMs());
        o.put("kind", e.getKind());
        o.put("group", e.getGroup());
        o.put("node", e.getNode());
        o.put("epoch", e.getEpoch());
        o.put("message", e.getMessage());
        o.put("caller", e.getCaller());
        o.put("log_index", e.getLogIndex());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("cannot write event " + e.getSeq() + " as JSON", x);
        }
    }

    /** The seq of a line of this format; empty if the line is not one (torn by a crash, edited by hand). */
    public static OptionalLong seqOf(String line) {
        try {
            JsonNode seq = JSON.readTree(line).path("seq");
            return seq.canConvertToLong() && seq.isIntegralNumber() && seq.asLong() > 0
                    ? OptionalLong.of(seq.asLong()) : OptionalLong.empty();
        } catch (JsonProcessingException | RuntimeException x) {
            return OptionalLong.empty();
        }
    }
}
