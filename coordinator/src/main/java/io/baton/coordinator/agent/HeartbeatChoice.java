package io.baton.coordinator.agent;

import io.baton.coordinator.core.HeartbeatReads;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import java.util.List;

/**
 * Whether the agent sends a heartbeat as a read or through the log. A read only when the last
 * committed heartbeat said the same (the leader checks again, {@link HeartbeatReads}, and asks for a
 * write if anything else changed): a report that changed must reach the log, and sending it as a read
 * first would only cost a round trip. Pure.
 */
public final class HeartbeatChoice {
    private HeartbeatChoice() {
    }

    /**
     * @param lastWritten       the last heartbeat committed by this process, or null
     * @param sinceWrittenNanos how long ago that one was sent
     * @param detailRefreshNanos a difference in the resources' detail alone is committed once this old
     */
    public static boolean read(Heartbeat lastWritten, Heartbeat next, long sinceWrittenNanos, long detailRefreshNanos) {
        if (lastWritten == null || lastWritten.getIncarnation() != next.getIncarnation()
                || lastWritten.getCertificateNotAfterMs() != next.getCertificateNotAfterMs()
                || lastWritten.getCaNotAfterMs() != next.getCaNotAfterMs()
                || !lastWritten.getConfigHash().equals(next.getConfigHash())
                || lastWritten.getProtocolVersion() != next.getProtocolVersion()) {
            return false;
        }
        List<GroupReport> was = lastWritten.getReportsList();
        List<GroupReport> now = next.getReportsList();
        if (was.equals(now)) {
            return true;
        }
        if (!significant(was).equals(significant(now))) {
            return false;
        }
        return sinceWrittenNanos < detailRefreshNanos;
    }

    private static List<GroupReport> significant(List<GroupReport> reports) {
        return reports.stream().map(HeartbeatReads::significant).toList();
    }
}
