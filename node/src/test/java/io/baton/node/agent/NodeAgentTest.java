package io.baton.node.agent;

import static io.baton.node.agent.FakeCluster.reportOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.Phase;
import io.baton.proto.ActivityProto;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import io.baton.proto.ResourceReport;
import io.baton.resources.ResourceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node agent of server1, driven one step at a time ({@link NodeAgent#reconcileOnce},
 * {@link NodeAgent#heartbeatOnce}, {@link NodeAgent#fenceOnce}) on a fake clock, against the real
 * core applying real commands. Group web is disk, ip, app, probe (probe last); group db is one app.
 */
class NodeAgentTest {
    static final Duration HEARTBEAT = Duration.ofMillis(500);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STOP_BUDGET = Duration.ofSeconds(1);
    /** From a confirmed heartbeat's send time to the fence: the lease less the stop budget. */
    static final Duration LIVE = LEASE.minus(STOP_BUDGET);
    /** The daemon's wall clock (stamped on commands; incarnations no longer come from it). */
    static final long WALL_MS = 1_700_000_000_000L;
    static final Duration BOUND = Duration.ofSeconds(10);

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeResource disk = FakeResource.plain("disk", log);
    private final FakeResource ip = FakeResource.plain("ip", log);
    private final FakeResource app = FakeResource.plain("app", log);
    private final FakeResource probe = FakeResource.probe("probe", log);
    private final FakeResource dbApp = FakeResource.plain("dbapp", log);
    private final FakeCluster cluster = new FakeCluster();
    private final FakeClock clock = new FakeClock();
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private NodeAgent agent;

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    /** The agent as a freshly started daemon builds it. */
    private NodeAgent newAgent() {
        return newAgent(() -> WALL_MS);
    }

    /** The same, with its machine's wall clock reading {@code wallMs}. */
    private NodeAgent newAgent(java.util.function.LongSupplier wallMs) {
        return new NodeAgent("server1", cluster, cluster,
                List.of(new GroupRuntime("web", List.of(disk, ip, app, probe)), new GroupRuntime("db", List.of(dbApp))),
                new OwnerLease(LEASE.toNanos(), STOP_BUDGET.toNanos()), clock, wallMs, HEARTBEAT, LEASE);
    }

    /** A started agent past its first pass (which stops everything), both data nodes alive, log cleared. */
    private void started() {
        agent = newAgent();
        agent.reconcileOnce();
        cluster.heartbeatOf("server2");
        agent.heartbeatOnce();
        log.clear();
    }

    /** {@link #started}, then web granted to server1 at epoch 1, activated and reported ONLINE; log cleared. */
    private void webOnlineAtEpoch1() {
        started();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(Phase.ONLINE, cluster.group("web").phase());
        log.clear();
    }

    /** The log entries of one kind of call ("start", "stop", "fence"), in order. */
    private List<String> only(String call) {
        return snapshot().stream().filter(e -> e.contains(" " + call)).toList();
    }

    private List<String> snapshot() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private int indexOf(String entry) {
        int i = snapshot().indexOf(entry);
        assertTrue(i >= 0, () -> "no '" + entry + "' in " + snapshot());
        return i;
    }

    private void assertWebInactive() {
        for (FakeResource r : List.of(disk, ip, app, probe)) {
            assertEquals(ResourceState.Status.INACTIVE, r.observe().status(), r.name());
        }
        assertFalse(agent.activeUnderLease("web"));
    }

    private GroupReport lastWebReport() {
        return reportOf(cluster.lastSent(), "web");
    }

    private static List<String> all(String call, long epoch, String... names) {
        return Stream.of(names).map(n -> n + " " + call + "@" + epoch).toList();
    }

    // ---- activation: earned by a confirmed grant that the replica shows too ----

    @Test
    void activatesInResourceOrderOnlyOnceAHeartbeatResultConfirmsTheGrant() {
        started();
        cluster.grant("web", "server1");
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "the replica shows the grant, but no heartbeat result listed it yet");

        cluster.failHeartbeats();
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "a heartbeat that did not commit confirms nothing");

        cluster.commitHeartbeats();
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 1, "disk", "ip", "app", "probe"), snapshot());
        assertTrue(agent.activeUnderLease("web"));

        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, lastWebReport().getActivity());
        assertEquals(1, lastWebReport().getEpoch());
        assertEquals(Phase.ONLINE, cluster.group("web").phase());
        agent.reconcileOnce();
        assertEquals(4, snapshot().size(), "an active group is left alone");
    }

    /** A node made a member of a group while it runs (batonctl node replace) gets its runtime then, and can be granted it. */
    @Test
    void aGroupAddedWhileRunningIsStoppedFirstThenReportedAndActivatedWhenGranted() {
        agent = new NodeAgent("server1", cluster, cluster, List.of(new GroupRuntime("web", List.of(disk, ip, app, probe))),
                new OwnerLease(LEASE.toNanos(), STOP_BUDGET.toNanos()), clock, () -> WALL_MS, HEARTBEAT, LEASE);
        agent.reconcileOnce();
        cluster.heartbeatOf("server2");
        agent.heartbeatOnce();
        assertFalse(agent.hasGroup("db"));
        assertTrue(cluster.lastSent().getReportsList().stream().noneMatch(r -> r.getGroup().equals("db")),
                "no report of a group it is not a member of");
        log.clear();

        assertTrue(agent.addGroup(new GroupRuntime("db", List.of(dbApp))));
        assertFalse(agent.addGroup(new GroupRuntime("db", List.of(dbApp))), "once");
        agent.reconcileOnce();
        assertEquals(List.of("dbapp stop@0"), only("stop"), "its first pass stops it, as at start");
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, reportOf(cluster.lastSent(), "db").getActivity());

        log.clear();
        cluster.grant("db", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 1, "dbapp"), snapshot());
        agent.heartbeatOnce();
        assertEquals(Phase.ONLINE, cluster.group("db").phase());
    }

    @Test
    void noActivationWhileTheConfirmedEpochIsOlderThanTheReplicas() {
        started();
        cluster.grant("web", "server1");
        agent.heartbeatOnce(); // confirms epoch 1
        cluster.revoke("web");
        cluster.grant("web", "server1"); // epoch 2, not yet confirmed
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot());

        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 2, "disk", "ip", "app", "probe"), snapshot());
    }

    @Test
    void noActivationWhileTheReplicaLagsBehindTheConfirmation() {
        started();
        cluster.grant("web", "server1");
        cluster.holdReplicaBack(); // shows epoch 1 from now on
        cluster.revoke("web");
        cluster.grant("web", "server1");
        agent.heartbeatOnce(); // confirms epoch 2
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot());

        cluster.catchUpReplica();
        agent.reconcileOnce();
        assertEquals(all("start", 2, "disk", "ip", "app", "probe"), snapshot());
    }

    // ---- a failed start ----

    @Test
    void aFailedStartWhoseRollbackFailsIsReportedStoppingUntilTheStopWorks() {
        started();
        app.failStart("exit status 3");
        ip.failStop("address busy");
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertEquals(ActivityProto.ACTIVITY_STOPPING, r.getActivity(),
                "FAILED would let the controller start the group elsewhere while 'ip' may be up");
        assertTrue(r.getMessage().contains("stop failed: ip: address busy"), r.getMessage());
        assertEquals("server1", cluster.group("web").owner());

        ip.failStop(null);
        clock.advance(Duration.ofSeconds(1));
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_FAILED, lastWebReport().getActivity());
        assertEquals(Phase.FAILED, cluster.group("web").phase(), "now that nothing is up, the failure counts");
    }

    @Test
    void aFailedStartRollsBackInReverseReportsFailedAndIsNotRetriedForTheSameEpoch() {
        started();
        app.failStart("exit status 3");
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 1, "disk", "ip", "app"), only("start"), "nothing after the failure starts");
        assertTrue(indexOf("ip stop@1") < indexOf("disk stop@1"), "rolled back in reverse: " + snapshot());
        assertWebInactive();

        log.clear();
        app.failStart(null);
        agent.reconcileOnce();
        clock.advance(HEARTBEAT);
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "the lease still confirms epoch 1, but it failed here");

        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertEquals(ActivityProto.ACTIVITY_FAILED, r.getActivity());
        assertEquals(1, r.getEpoch());
        assertEquals("app: exit status 3", r.getMessage());
        GroupState web = cluster.group("web");
        assertEquals(Phase.FAILED, web.phase());
        assertNull(web.owner());
        assertTrue(web.failedOn().contains("server1"));

        agent.reconcileOnce();
        assertEquals(List.of(), snapshot());
        cluster.start("web", "server1"); // an operator's start: a new epoch, tried afresh
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 2, "disk", "ip", "app", "probe"), snapshot());
    }

    @Test
    void aFailedStartStopsThePartlyStartedResourceFirst() {
        started();
        app.failStart("health check failed");
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        // The app may be half up, on the disk and address started before it: it goes down first.
        assertEquals(all("stop", 1, "app", "ip", "disk"), only("stop"));
        assertTrue(indexOf("app fence") < indexOf("app stop@1"));
        assertWebInactive();
    }

    // ---- the lease ----

    @Test
    void losingTheLeaseFencesTheProbeFirstThenStopsInReverse() {
        webOnlineAtEpoch1(); // last confirmed heartbeat sent now
        cluster.failHeartbeats();
        clock.advance(HEARTBEAT);
        agent.heartbeatOnce(); // not committed: no renewal
        clock.advance(LIVE.minus(HEARTBEAT).minusNanos(1));
        agent.fenceOnce();
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "the lease is live until send + lease - stop budget");
        assertTrue(agent.activeUnderLease("web"));

        clock.advance(Duration.ofNanos(1));
        agent.fenceOnce();
        assertEquals(List.of("probe fence", "app fence", "ip fence", "disk fence", "dbapp fence"), snapshot());
        assertFalse(agent.activeUnderLease("web"));
        agent.reconcileOnce();
        assertEquals(all("stop", 1, "probe", "app", "ip", "disk"), only("stop"));
        assertWebInactive();

        log.clear();
        agent.fenceOnce();
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "fenced once per lapse; nothing left to stop");
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, lastWebReport().getActivity());
    }

    @Test
    void leaseLostWhileAStartHangsRollsBackAndLeavesNothingActive() throws Exception {
        started();
        app.hangInStart();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        Future<?> pass = background.submit(agent::reconcileOnce);
        await().atMost(BOUND).until(app::startEntered);

        clock.advance(LIVE);
        agent.fenceOnce(); // the fence thread, while the start script runs
        assertTrue(snapshot().contains("probe fence"));
        app.release();
        pass.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        assertEquals(all("start", 1, "disk", "ip", "app"), only("start"), "the probe port never opens");
        assertEquals(all("stop", 1, "app", "ip", "disk"), only("stop"));
        assertTrue(indexOf("probe fence") < indexOf("app stop@1"));
        assertWebInactive();
        cluster.failHeartbeats();
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, lastWebReport().getActivity());
    }

    /**
     * Groups reconcile side by side on the agent's own threads: a group whose start script hangs does
     * not hold back another group's activation (one after another, db would wait for web's script).
     */
    @Test
    void aGroupWhoseStartHangsDoesNotHoldBackAnotherGroup() {
        started();
        app.hangInStart();
        cluster.grant("web", "server1");
        cluster.grant("db", "server1");
        agent.heartbeatOnce();
        agent.start();
        try {
            await().atMost(BOUND).until(app::startEntered);
            // Well inside FakeResource's hang limit, after which web's start would give up and free the way.
            await().atMost(Duration.ofSeconds(5)).until(() -> dbApp.observe().status() == ResourceState.Status.ACTIVE);
            assertFalse(snapshot().contains("probe start@1"), "web is still in its app's start");
        } finally {
            app.release();
            agent.close();
        }
    }

    // ---- moves ----

    @Test
    void aMoveDeactivatesInReverseThenReportsReleasedAndTheEpochIsNeverActivatedAgain() {
        webOnlineAtEpoch1();
        cluster.move("web", "server2");
        agent.reconcileOnce();
        assertEquals(all("stop", 1, "probe", "app", "ip", "disk"), only("stop"));
        assertTrue(indexOf("probe fence") < indexOf("probe stop@1"));
        assertWebInactive();

        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertTrue(r.getReleased());
        assertEquals(1, r.getEpoch());
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, r.getActivity());
        GroupState web = cluster.group("web");
        assertEquals("server2", web.owner());
        assertEquals(2, web.epoch());

        log.clear();
        for (int i = 0; i < 5; i++) {
            clock.advance(HEARTBEAT);
            agent.heartbeatOnce();
            agent.reconcileOnce();
        }
        assertEquals(List.of(), snapshot());

        // Moved back: a new epoch, which activates as usual.
        cluster.move("web", "server1");
        cluster.heartbeatOf("server2", GroupReport.newBuilder().setGroup("web").setEpoch(2)
                .setActivity(ActivityProto.ACTIVITY_INACTIVE).setReleased(true).build());
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 3, "disk", "ip", "app", "probe"), snapshot());
    }

    @Test
    void aFailedStopIsReportedAndRetriedAtMostOnceASecondAndHoldsBackReleased() {
        webOnlineAtEpoch1();
        cluster.move("web", "server2");
        app.failStop("device busy");
        agent.reconcileOnce();
        assertEquals(all("stop", 1, "probe", "app", "ip", "disk"), only("stop"), "a failed stop does not stop the rest");

        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertEquals(ActivityProto.ACTIVITY_STOPPING, r.getActivity(), "not FAILED: something may still be up");
        assertTrue(r.getMessage().startsWith("stop failed"), r.getMessage());
        assertTrue(r.getMessage().contains("app: device busy"), r.getMessage());
        assertFalse(r.getReleased());
        assertEquals(Phase.RELEASING, cluster.group("web").phase());

        log.clear();
        agent.reconcileOnce();
        clock.advance(Duration.ofMillis(999));
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(List.of(), only("stop"), "not retried within a second");
        clock.advance(Duration.ofMillis(1));
        agent.reconcileOnce();
        assertEquals(all("stop", 1, "probe", "app", "ip", "disk"), only("stop"));
        log.clear();
        agent.reconcileOnce();
        assertEquals(List.of(), only("stop"));
        agent.heartbeatOnce();
        assertFalse(lastWebReport().getReleased());
        assertEquals(Phase.RELEASING, cluster.group("web").phase());

        app.failStop(null);
        clock.advance(Duration.ofSeconds(1));
        agent.reconcileOnce();
        assertEquals(all("stop", 1, "probe", "app", "ip", "disk"), only("stop"));
        agent.heartbeatOnce();
        assertTrue(lastWebReport().getReleased());
        assertEquals("server2", cluster.group("web").owner());
    }

    @Test
    void aStopThatSucceedsOnRetryClearsTheFailureSoTheGrantCanBeTakenUpAgain() {
        webOnlineAtEpoch1();
        app.failStop("device busy");
        cluster.failHeartbeats(); // cut off from the leader
        clock.advance(LIVE);
        agent.fenceOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_STOPPING, lastWebReport().getActivity());

        app.failStop(null);
        clock.advance(Duration.ofSeconds(1));
        agent.reconcileOnce(); // the retry succeeds
        assertWebInactive();
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, lastWebReport().getActivity());
        assertEquals("", lastWebReport().getMessage());

        // Back in touch before the controller took over: the grant stands and is taken up again,
        // instead of a stale "failed" report failing the group on this node.
        cluster.commitHeartbeats();
        log.clear();
        agent.heartbeatOnce();
        GroupState web = cluster.group("web");
        assertEquals("server1", web.owner());
        assertEquals(Phase.STARTING, web.phase());
        agent.reconcileOnce();
        assertEquals(all("start", 1, "disk", "ip", "app", "probe"), snapshot());
    }

    // ---- daemon restart ----

    @Test
    void afterARestartANodeThatOwnsNothingStopsEveryResourceOnceThenStaysQuiet() {
        cluster.heartbeatOf("server2");
        cluster.grant("web", "server2");
        agent = newAgent();
        agent.heartbeatOnce();
        assertEquals(ActivityProto.ACTIVITY_STOPPING, lastWebReport().getActivity(), "unknown until stopped");

        agent.reconcileOnce();
        assertEquals(List.of("probe stop@0", "app stop@0", "ip stop@0", "disk stop@0", "dbapp stop@0"), only("stop"));
        log.clear();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            agent.heartbeatOnce();
            agent.reconcileOnce();
            agent.fenceOnce();
        }
        assertEquals(List.of(), only("stop"));
        assertEquals(List.of(), only("start"));
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, lastWebReport().getActivity());
    }

    @Test
    void afterARestartTheOwnerStopsEverythingThenActivatesOnceConfirmed() {
        cluster.heartbeatOf("server1"); // the previous process, incarnation 1
        cluster.grant("web", "server1");
        cluster.heartbeatOf("server1", GroupReport.newBuilder().setGroup("web").setEpoch(1)
                .setActivity(ActivityProto.ACTIVITY_ACTIVE).build());
        agent = newAgent();
        agent.reconcileOnce();
        assertEquals(List.of(), only("start"), "no lease yet");
        assertEquals(List.of("probe stop@0", "app stop@0", "ip stop@0", "disk stop@0", "dbapp stop@0"), only("stop"));

        log.clear();
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 1, "disk", "ip", "app", "probe"), snapshot());
    }

    // ---- heartbeats ----

    @Test
    void heartbeatsCarryAGrowingSeqAndTheReportOfEveryGroup() {
        started();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        cluster.failHeartbeats();
        agent.heartbeatOnce();
        cluster.commitHeartbeats();
        agent.heartbeatOnce();

        List<Heartbeat> sent = cluster.sent();
        assertEquals(List.of(1L, 2L, 3L, 4L), sent.stream().map(Heartbeat::getSeq).toList());
        for (Heartbeat hb : sent) {
            assertEquals("server1", hb.getNode());
            assertEquals(1, hb.getIncarnation(), "the incarnation the core assigned");
            assertEquals(List.of("web", "db"), hb.getReportsList().stream().map(GroupReport::getGroup).toList());
            assertEquals(List.of("disk", "ip", "app", "probe"),
                    reportOf(hb, "web").getResourcesList().stream().map(ResourceReport::getName).toList());
        }
        Heartbeat last = sent.get(3);
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, reportOf(last, "web").getActivity());
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, reportOf(last, "db").getActivity());
        assertEquals(List.of("active", "active", "active", "active"),
                reportOf(last, "web").getResourcesList().stream().map(ResourceReport::getState).toList());
        // min(lease / 2, max(4 heartbeats, 1 s))
        assertEquals(Collections.nCopies(4, Duration.ofMillis(1_500)), cluster.timeouts());
    }

    // ---- incarnations: assigned by the core, not read from the wall clock ----

    @Test
    void theFirstStepAsksForAnIncarnationAndNoHeartbeatGoesOutWithoutOne() {
        cluster.failHeartbeats();
        agent = newAgent();
        agent.heartbeatOnce();
        agent.heartbeatOnce();
        assertEquals(List.of(), cluster.sent(), "no heartbeat without an incarnation");
        assertEquals(2, cluster.incarnates().size());

        cluster.commitHeartbeats();
        agent.heartbeatOnce();
        agent.heartbeatOnce();
        List<io.baton.proto.Incarnate> asked = cluster.incarnates();
        assertEquals(3, asked.size(), "asked until committed, then never again");
        assertTrue(asked.stream().allMatch(i -> i.getNode().equals("server1") && i.getBoot() != 0));
        assertEquals(1, asked.stream().map(io.baton.proto.Incarnate::getBoot).distinct().count(),
                "one boot id per process: a retry whose first try committed gets the same incarnation");
        assertEquals(List.of(1L, 1L), cluster.sent().stream().map(Heartbeat::getIncarnation).toList());
        assertEquals(List.of(1L, 2L), cluster.sent().stream().map(Heartbeat::getSeq).toList());
    }

    @Test
    void aRestartWithTheClockMovedBackIsHeardAndTheOldProcessIsNot() {
        NodeAgent previous = newAgent(() -> WALL_MS + Duration.ofDays(365).toMillis()); // booted a year ahead
        agent = previous;
        agent.reconcileOnce();
        cluster.heartbeatOf("server2");
        agent.heartbeatOnce();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(Phase.ONLINE, cluster.group("web").phase());
        long previousIncarnation = cluster.lastSent().getIncarnation();

        // The daemon restarts with its clock set right (a year back): everything is stopped first.
        agent = newAgent(() -> WALL_MS);
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(previousIncarnation + 1, cluster.lastSent().getIncarnation());
        assertEquals(ActivityProto.ACTIVITY_INACTIVE, lastWebReport().getActivity());
        assertEquals(lastWebReport(), cluster.group("web").reports().get("server1"), "the new process's report counts");
        log.clear();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(all("start", 1, "disk", "ip", "app", "probe"), only("start"));
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, lastWebReport().getActivity());
        assertEquals(lastWebReport(), cluster.group("web").reports().get("server1"), "and so does the next one");
        assertEquals(Phase.ONLINE, cluster.group("web").phase());

        // The previous process (frozen, say) sends a late heartbeat: refused, it confirms no lease.
        clock.advance(LIVE.minusMillis(100));
        agent.heartbeatOnce();
        previous.heartbeatOnce();
        clock.advance(Duration.ofMillis(200));
        assertTrue(agent.leaseLive());
        assertFalse(previous.leaseLive(), "a heartbeat of a previous incarnation renews nothing");
    }

    // ---- monitors: the plan's recovery through the real agent ----

    private final FakeCheck appCheck = new FakeCheck();

    /** web = disk, ip, app (monitored: 2 failures, 1 restart within 10 min), probe; db as usual. */
    private NodeAgent monitoredAgent() {
        List<io.baton.resources.Resource> web = List.of(disk, ip, app, probe);
        io.baton.coordinator.agent.PlanPolicy policy = new io.baton.coordinator.agent.PlanPolicy(
                List.of("disk", "ip", "app", "probe"),
                java.util.Arrays.asList(null, null, new io.baton.coordinator.agent.MonitorSpec(2, 0, 1,
                        Duration.ofMinutes(10).toNanos()), null), 3, false, 0);
        ResourceMonitor monitor = new ResourceMonitor(appCheck, Duration.ofSeconds(1), Duration.ofMillis(500));
        monitoredWeb = new GroupRuntime("web", web, java.util.Arrays.asList(null, null, monitor, null), policy);
        return new NodeAgent("server1", cluster, cluster, List.of(monitoredWeb, new GroupRuntime("db", List.of(dbApp))),
                new OwnerLease(LEASE.toNanos(), STOP_BUDGET.toNanos()), clock, () -> WALL_MS, HEARTBEAT, LEASE);
    }

    private void monitoredWebOnline() {
        agent = monitoredAgent();
        agent.reconcileOnce();
        cluster.heartbeatOf("server2");
        agent.heartbeatOnce();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(Phase.ONLINE, cluster.group("web").phase());
        log.clear();
    }

    private GroupRuntime monitoredWeb;

    private GroupRuntime web() {
        return monitoredWeb;
    }

    @Test
    void aFailedMonitorRestartsTheApplicationWithTheProbePortClosedFirst() {
        monitoredWebOnline();
        appCheck.failing("connection refused");
        agent.checkOnce(web(), 2);
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "one failure of two changes nothing");
        agent.checkOnce(web(), 2);
        agent.reconcileOnce();
        assertEquals(List.of("probe stop@1", "app stop@1", "app start@1", "probe start@1"), only("st"),
                "probe port closed before the application stops, opened after it started");
        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertEquals(ActivityProto.ACTIVITY_ACTIVE, r.getActivity());
        assertEquals(1, r.getResources(2).getMonitor().getRestartsTotal());
        assertEquals(1, r.getResources(2).getMonitor().getFailedTotal());
        assertEquals("connection refused", r.getResources(2).getMonitor().getLastError());
        assertEquals("server1", cluster.group("web").owner());
    }

    @Test
    void restartsUsedUpStopTheGroupAndReportAMonitorFailure() {
        monitoredWebOnline();
        appCheck.failing("connection refused");
        agent.checkOnce(web(), 2);
        agent.checkOnce(web(), 2);
        agent.reconcileOnce();
        log.clear();
        appCheck.failing("HTTP 503");
        agent.checkOnce(web(), 2);
        agent.checkOnce(web(), 2);
        agent.reconcileOnce();
        assertEquals(List.of("probe stop@1", "app stop@1", "ip stop@1", "disk stop@1"), only("stop"));
        assertEquals(List.of(), only("start"));
        agent.heartbeatOnce();
        GroupReport r = lastWebReport();
        assertEquals(ActivityProto.ACTIVITY_FAILED, r.getActivity());
        assertTrue(r.getMonitorFailed());
        assertTrue(r.getMessage().startsWith("app: monitor failed (HTTP 503)"), r.getMessage());
        assertWebInactive();
    }

    @Test
    void monitorsCheckOnlyWhileTheGroupIsActiveHere() {
        agent = monitoredAgent();
        agent.reconcileOnce();
        agent.checkOnce(web(), 2);
        assertEquals(0, appCheck.runs(), "not active here: no check");
        log.clear();
        cluster.heartbeatOf("server2");
        agent.heartbeatOnce();
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.checkOnce(web(), 2);
        assertEquals(1, appCheck.runs());
    }

    /** web as {@link #monitoredAgent} builds it, with its app monitor's settings given. */
    private GroupRuntime monitoredWebWith(FakeCheck check, Duration interval, int failures) {
        io.baton.coordinator.agent.PlanPolicy policy = new io.baton.coordinator.agent.PlanPolicy(
                List.of("disk", "ip", "app", "probe"),
                java.util.Arrays.asList(null, null, new io.baton.coordinator.agent.MonitorSpec(failures, 0, 1,
                        Duration.ofMinutes(10).toNanos()), null), 3, false, 0);
        return new GroupRuntime("web", List.of(disk, ip, app, probe),
                java.util.Arrays.asList(null, null, new ResourceMonitor(check, interval, Duration.ofMillis(500)), null), policy);
    }

    /** batonctl config apply that changes only a monitor: the running group keeps running, the next checks go by the new settings. */
    @Test
    void aRetunedMonitorAppliesToTheRunningGroupWithoutARestart() {
        monitoredWebOnline();
        FakeCheck newCheck = new FakeCheck();
        assertTrue(agent.retune(monitoredWebWith(newCheck, Duration.ofMillis(200), 1)));
        assertEquals(Duration.ofMillis(200), web().monitors.get(2).interval());
        agent.reconcileOnce();
        assertEquals(List.of(), snapshot(), "nothing stopped or started");
        newCheck.failing("connection refused");
        agent.checkOnce(web(), 2);
        assertEquals(0, appCheck.runs(), "the old check is no longer run");
        agent.reconcileOnce();
        assertEquals(List.of("probe stop@1", "app stop@1", "app start@1", "probe start@1"), only("st"),
                "one failure is enough now (failures: 1): the application restarts at once");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> agent.retune(new GroupRuntime("web", List.of(disk, ip, app, probe))), "a monitor removed is no retune");
    }

    /** A group whose resources changed gets a new runtime only while nothing of it runs here; a removed group goes the same way. */
    @Test
    void aGroupIsReplacedOrRemovedOnlyWhileNothingOfItRunsHere() {
        webOnlineAtEpoch1();
        FakeResource newApp = FakeResource.plain("app2", log);
        assertFalse(agent.replaceGroup(new GroupRuntime("web", List.of(disk, ip, newApp, probe))), "web is active here");
        assertFalse(agent.removeGroup("web"), "web is active here");
        assertTrue(agent.hasGroup("web"));

        cluster.revoke("web");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        agent.heartbeatOnce();
        log.clear();
        assertTrue(agent.replaceGroup(new GroupRuntime("web", List.of(disk, ip, newApp, probe))));
        agent.reconcileOnce();
        assertTrue(only("stop").contains("app2 stop@0"), "its first pass stops it by the new definitions: " + snapshot());
        cluster.grant("web", "server1");
        agent.heartbeatOnce();
        agent.reconcileOnce();
        assertEquals(all("start", 2, "disk", "ip", "app2", "probe"), only("start"));

        assertTrue(agent.removeGroup("db"));
        assertFalse(agent.hasGroup("db"));
        agent.heartbeatOnce();
        assertTrue(cluster.lastSent().getReportsList().stream().noneMatch(r -> r.getGroup().equals("db")));
        assertTrue(agent.removeGroup("db"), "a group it does not have is gone already");
    }

    // ---- a failing stop: an event, a status line, and an operator after five tries ----

    private long appStops() {
        return snapshot().stream().filter(e -> e.startsWith("app stop")).count();
    }

    private List<String> eventKinds() {
        return cluster.read(st -> st.events().stream().map(e -> e.getKind() + ":" + e.getMessage()).toList());
    }

    @Test
    void aFailingStopIsAnEventAndAfterFiveTriesWaitsForAClear() {
        webOnlineAtEpoch1();
        app.failStop("stop script for 'app' exited with status 3: nginx: still running");
        cluster.ok(io.baton.proto.Command.newBuilder().setStop(io.baton.proto.StopGroup.newBuilder().setGroup("web")).build());
        agent.heartbeatOnce();
        for (int pass = 1; pass <= 5; pass++) {
            agent.reconcileOnce();
            agent.heartbeatOnce();
            clock.advance(Duration.ofSeconds(1));
        }
        List<String> kinds = eventKinds();
        assertEquals(1, kinds.stream().filter(k -> k.startsWith("stop-failed:")).count(), kinds::toString);
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("stop-failed:") && k.contains("exited with status 3")), kinds::toString);
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("stop-stuck:") && k.contains("batonctl clear web")), kinds::toString);
        long stops = appStops();
        assertEquals(5, stops);
        clock.advance(Duration.ofMinutes(1));
        agent.reconcileOnce();
        assertEquals(stops, appStops(), "no more tries until an operator clears the group");
        assertEquals(ActivityProto.ACTIVITY_STOPPING, lastWebReport().getActivity());

        app.failStop(null);
        cluster.ok(io.baton.proto.Command.newBuilder().setClearFailures(
                io.baton.proto.ClearFailures.newBuilder().setGroup("web")).build());
        agent.reconcileOnce();
        agent.heartbeatOnce();
        assertEquals(stops + 1, appStops());
        assertTrue(lastWebReport().getReleased(), "stopped at last, and released");
        assertTrue(eventKinds().stream().anyMatch(k -> k.startsWith("stop-stuck-cleared")), eventKinds()::toString);
    }
}
