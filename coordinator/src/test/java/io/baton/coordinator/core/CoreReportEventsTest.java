package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.heartbeat;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.ActivityProto;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.MonitorReport;
import io.baton.proto.ResourceReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events the core derives from a node's report compared with its previous report of the group. */
class CoreReportEventsTest {
    private static final String PROBE_WAIT = "probe-wait: no health check from the load balancer for 45 s: check the target group";
    private final CoreFixture f = new CoreFixture();

    /** server1's active report of web at epoch 1, with app's monitor counters and the given warnings. */
    private static GroupReport active(long failedTotal, long restartsTotal, String lastError, String... warnings) {
        return report("web", 1, ActivityProto.ACTIVITY_ACTIVE).toBuilder()
                .addResources(ResourceReport.newBuilder().setName("vip").setType("ip").setState("active"))
                .addResources(ResourceReport.newBuilder().setName("app").setType("exec").setState("active")
                        .setMonitor(MonitorReport.newBuilder().setVerdict("healthy").setLastError(lastError)
                                .setFailedTotal(failedTotal).setRestartsTotal(restartsTotal)))
                .addAllWarnings(List.of(warnings)).build();
    }

    /** The events recorded by beating {@code report} from server1. */
    private List<Event> beat(GroupReport report) {
        int before = f.state.events().size();
        f.beat("server1", report);
        return f.state.events().subList(before, f.state.events().size());
    }

    private static List<String> kinds(List<Event> events) {
        return events.stream().map(Event::getKind).toList();
    }

    @Test
    void aGrowingFailureCounterIsAMonitorFailedEventAndAGrowingRestartCounterARestartedEvent() {
        f.webOnlineOnServer1();
        assertEquals(List.of(), beat(active(0, 0, "")));
        List<Event> events = beat(active(1, 1, "connection refused"));
        assertEquals(List.of("monitor-failed", "restarted"), kinds(events));
        assertEquals("app: connection refused", events.get(0).getMessage());
        assertEquals("app: connection refused", events.get(1).getMessage());
        assertEquals("server1", events.get(0).getNode());
        assertEquals("web", events.get(0).getGroup());
        assertEquals(1, events.get(0).getEpoch());

        assertEquals(List.of(), beat(active(1, 1, "connection refused")), "the same counters fire nothing again");
        assertEquals(List.of("restarted"), kinds(beat(active(1, 2, "timeout"))));
    }

    @Test
    void theFirstReportWithCountersFiresForWhatTheyAlreadyCount() {
        f.webOnlineOnServer1();
        assertEquals(List.of("monitor-failed"), kinds(beat(active(2, 0, "timeout"))));
    }

    @Test
    void countersThatFallSayNothing() {
        f.webOnlineOnServer1();
        beat(active(5, 5, "x"));
        assertEquals(List.of(), beat(active(0, 0, "")));
        assertEquals(List.of("restarted"), kinds(beat(active(0, 1, "y"))), "and count from where they are");
    }

    @Test
    void aNewIncarnationCountsFromZero() {
        f.webOnlineOnServer1();
        beat(active(3, 3, "x"));
        int before = f.state.events().size();
        f.ok(heartbeat("server1", 2, 1, active(1, 0, "after restart")));
        assertEquals(List.of("monitor-failed"), f.kindsSince(before), "the new daemon's first failure is news");
    }

    @Test
    void aStaleHeartbeatFiresNothing() {
        f.webOnlineOnServer1();
        f.ok(heartbeat("server1", 1, 1000, active(1, 0, "x")));
        int before = f.state.events().size();
        f.ok(heartbeat("server1", 1, 1000, active(2, 0, "x")));
        f.ok(heartbeat("server1", 1, 999, active(3, 0, "x")));
        assertEquals(List.of(), f.kindsSince(before));
    }

    @Test
    void degradedFiresOnceWhenItBecomesTrue() {
        f.webOnlineOnServer1();
        GroupReport degraded = active(1, 3, "timeout").toBuilder().setDegraded(true)
                .setMessage("app: monitor failed, restarts used up; on_failure keep leaves web running").build();
        List<Event> events = beat(degraded);
        assertEquals(List.of("monitor-failed", "restarted", "degraded"), kinds(events));
        assertEquals("app: monitor failed, restarts used up; on_failure keep leaves web running", events.get(2).getMessage());
        assertEquals(List.of(), beat(degraded));
        assertEquals(Phase.ONLINE, f.group("web").phase, "a degraded group stays online");
    }

    @Test
    void aNewWarningIsAnEventOfItsKindAndOneThatDisappearsIsCleared() {
        f.webOnlineOnServer1();
        List<Event> events = beat(active(0, 0, "", PROBE_WAIT));
        assertEquals(List.of("probe-wait"), kinds(events));
        assertEquals(PROBE_WAIT, events.get(0).getMessage());
        assertEquals(List.of(), beat(active(0, 0, "", PROBE_WAIT)));

        events = beat(active(0, 0, ""));
        assertEquals(List.of("probe-wait-cleared"), kinds(events));
        assertEquals(PROBE_WAIT, events.get(0).getMessage());
    }

    @Test
    void warningsOfAnOddShapeAreFiledAsWarning() {
        assertEquals("probe-wait", ReportEvents.kind(PROBE_WAIT));
        assertEquals("warning", ReportEvents.kind("no colon at all"));
        assertEquals("warning", ReportEvents.kind("Disk Nearly Full: 95 %"));
        assertEquals("warning", ReportEvents.kind(": empty kind"));
        assertEquals("disk-full", ReportEvents.kind(" disk-full : 95 %"));
    }

    @Test
    void reportsOfNonOwnersFireToo() {
        f.webOnlineOnServer1();
        int before = f.state.events().size();
        f.beat("server2", report("web", 1, ActivityProto.ACTIVITY_INACTIVE).toBuilder()
                .addWarnings("mirror-lag: behind by 2 GiB").build());
        assertEquals(List.of("mirror-lag"), f.kindsSince(before));
        assertEquals("server2", f.lastEvent().getNode());
    }
}
