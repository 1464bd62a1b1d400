package io.baton.coordinator.core;

import io.baton.proto.GroupReport;
import io.baton.proto.MonitorReport;
import io.baton.proto.ResourceReport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a node's report of a group says happened since its previous report of that group, as events. The
 * agent reports levels (counters, flags, current warnings); comparing two reports turns them into edges, so
 * that a restart or a short-lived warning between two heartbeats is not missed and each fires once. Pure.
 *
 * <ul>
 *   <li>a resource's {@code monitor.failed_total} grew: {@code monitor-failed} (resource: last error);</li>
 *   <li>its {@code restarts_total} grew: {@code restarted} (resource: last error);</li>
 *   <li>{@code degraded} became true: {@code degraded} (the agent's message);</li>
 *   <li>a warning appeared: the text before its first ':' as the kind ({@code probe-wait}), the whole
 *       text as the message; one that disappeared: that kind with {@code -cleared}.</li>
 * </ul>
 * Counters that fall (the daemon restarted) say nothing; after a restart they count from zero again.
 */
final class ReportEvents {
    /** One event to record: its kind and message (group, node and epoch are the report's). */
    record Emitted(String kind, String message) {}

    /** A warning kind: short, lower case, digits and dashes; anything else is filed as {@code warning}. */
    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private ReportEvents() {}

    /**
     * @param previous          the node's previous report of the group, or null
     * @param countersRestarted the report comes from a new incarnation of the daemon: its counters start at zero
     */
    static List<Emitted> between(GroupReport previous, GroupReport current, boolean countersRestarted) {
        List<Emitted> out = new ArrayList<>();
        Map<String, MonitorReport> before = previous == null || countersRestarted ? Map.of()
                : previous.getResourcesList().stream().filter(ResourceReport::hasMonitor)
                        .collect(Collectors.toMap(ResourceReport::getName, ResourceReport::getMonitor, (a, b) -> a));
        for (ResourceReport res : current.getResourcesList()) {
            if (!res.hasMonitor()) {
                continue;
            }
            MonitorReport now = res.getMonitor();
            MonitorReport was = before.getOrDefault(res.getName(), MonitorReport.getDefaultInstance());
            String what = res.getName() + ": " + (now.getLastError().isEmpty() ? "check failed" : now.getLastError());
            if (now.getFailedTotal() > was.getFailedTotal()) {
                out.add(new Emitted("monitor-failed", what));
            }
            if (now.getRestartsTotal() > was.getRestartsTotal()) {
                out.add(new Emitted("restarted", what));
            }
        }
        if (current.getDegraded() && (previous == null || !previous.getDegraded())) {
            out.add(new Emitted("degraded", current.getMessage().isEmpty()
                    ? "a monitor failed and on_failure keep leaves the group running" : current.getMessage()));
        }
        Set<String> had = previous == null ? Set.of() : new LinkedHashSet<>(previous.getWarningsList());
        Set<String> has = new LinkedHashSet<>(current.getWarningsList());
        has.stream().filter(w -> !had.contains(w)).forEach(w -> out.add(new Emitted(kind(w), w)));
        had.stream().filter(w -> !has.contains(w)).forEach(w -> out.add(new Emitted(kind(w) + "-cleared", w)));
        return out;
    }

    /** {@code probe-wait} for {@code "probe-wait: no health check ..."}. */
    static String kind(String warning) {
        int colon = warning.indexOf(':');
        String prefix = colon < 0 ? "" : warning.substring(0, colon).strip();
        return KIND.matcher(prefix).matches() ? prefix : "warning";
    }
}
