package io.baton.node.cli;

import io.baton.proto.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code 2026-11-24T20:31:02.123Z  move  web  server2  epoch 7  <message>  by alice (operator)}: the
 * caller, when an operator's command caused the event, comes last so that the columns before it stay
 * where they were. Pure.
 */
public final class EventLine {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventLine() {
    }

    private static final int KIND_WIDTH = 16;

    public static String format(Event e) {
        StringBuilder sb = new StringBuilder();
        sb.append(TIME.format(Instant.ofEpochMilli(e.getWallTimeMs()))).append("  ");
        String kind = e.getKind().isEmpty() ? "?" : e.getKind();
        // Padded to the common kinds (monitor-failed, force-activate); longer ones keep a gap.
        sb.append(kind.length() >= KIND_WIDTH ? kind + "  " : String.format("%-" + KIND_WIDTH + "s", kind));
        sb.append(Names.orDash(e.getGroup())).append("  ").append(Names.orDash(e.getNode()));
        if (e.getEpoch() != 0) {
            sb.append("  epoch ").append(e.getEpoch());
        }
        if (!e.getMessage().isEmpty()) {
            sb.append("  ").append(e.getMessage().strip().replace('\n', ' '));
        }
        if (!e.getCaller().isEmpty()) {
            sb.append("  by ").append(e.getCaller().strip().replace('\n', ' '));
        }
        return sb.toString();
    }
}
