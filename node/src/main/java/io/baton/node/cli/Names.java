package io.baton.node.cli;

import io.baton.proto.ActivityProto;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.GroupStatus;
import java.util.Locale;

/** Lower-case display names of phases and activities. */
public final class Names {
    private Names() {
    }

    public static String phase(PhaseProto phase) {
        return phase == PhaseProto.UNRECOGNIZED ? "unknown" : strip(phase.name(), "PHASE_");
    }

    /** The group's phase, or "stopped" for an offline group an operator stopped. */
    public static String phase(GroupStatus group) {
        if (group.getAdminStopped() && group.getPhase() == PhaseProto.PHASE_OFFLINE) {
            return "stopped";
        }
        return phase(group.getPhase());
    }

    public static String activity(ActivityProto activity) {
        return activity == ActivityProto.UNRECOGNIZED ? "unknown" : strip(activity.name(), "ACTIVITY_");
    }

    public static String orDash(String text) {
        return text.isEmpty() ? "-" : text;
    }

    private static String strip(String name, String prefix) {
        return (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
    }
}
