package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.GroupStateProto;
import io.baton.proto.Heartbeat;
import io.baton.proto.Incarnate;
import io.baton.proto.NodeReportEntry;
import io.baton.proto.NodeStateProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Which heartbeats a read may confirm: exactly those whose commit would change nothing but the node's
 * sequence number, its last heartbeat's wall time, the lag it shows and the resources' detail text.
 */
class HeartbeatReadsTest {
    private final CoreFixture f = new CoreFixture();
    private final long[] seq = new long[1];

    /** Every node gets incarnation 1 and heartbeats once; web is ONLINE on server1. */
    private void started() {
        for (String n : List.of("server1", "server2", "witness")) {
            f.ok(Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode(n).setBoot(7)).build());
            f.ok(beat(n));
        }
        f.ok(CoreFixture.grant("web", "server1", f.group("web").epoch));
        f.ok(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
    }

    private Command beat(String node, GroupReport... reports) {
        return CoreFixture.heartbeat(node, 1, ++seq[0], reports).toBuilder().setProposer(node)
                .setWallTimeMs(f.nextWallMs()).build();
    }

    private CommandResult confirm(Command hb) {
        return f.core.confirm(f.state, hb, f.index());
    }

    @Test
    void aHeartbeatThatRepeatsTheLastOneIsConfirmedWithTheGrantsItHolds() {
        started();
        ClusterStateProto before = StateCodec.toProto(f.state);
        CommandResult r = confirm(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)));
        assertEquals(ResultCode.RESULT_OK, r.getCode(), r::getMessage);
        assertEquals(1, r.getHeldCount());
        assertEquals("web", r.getHeld(0).getGroup());
        assertEquals(1, r.getHeld(0).getEpoch());
        assertEquals(before, StateCodec.toProto(f.state), "a read changes nothing");
        assertEquals(ResultCode.RESULT_OK, confirm(beat("server2")).getCode());
        assertEquals(0, confirm(beat("server2")).getHeldCount());
    }

    @Test
    void onlyTheResourcesDetailMayDiffer() {
        started();
        GroupReport withDetail = report("web", 1, ActivityProto.ACTIVITY_ACTIVE).toBuilder()
                .addResources(ResourceReport.newBuilder().setName("probe").setState("active").setDetail("3 probes")).build();
        f.ok(beat("server1", withDetail));
        GroupReport moreProbes = withDetail.toBuilder().setResources(0, withDetail.getResources(0).toBuilder()
                .setDetail("9 probes")).build();
        assertEquals(ResultCode.RESULT_OK, confirm(beat("server1", moreProbes)).getCode());
        GroupReport failed = withDetail.toBuilder().setResources(0, withDetail.getResources(0).toBuilder()
                .setState("failed")).build();
        assertWrite(beat("server1", failed), "report of group 'web' changed");
    }

    @Test
    void anythingNewNeedsTheLog() {
        started();
        assertWrite(beat("server1", report("web", 1, ActivityProto.ACTIVITY_STOPPING)), "report of group 'web' changed");
        assertWrite(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE), report("batch", 0,
                ActivityProto.ACTIVITY_INACTIVE)), "report of group 'batch' changed");
        assertWrite(withHeartbeat(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)),
                h -> h.setCertificateNotAfterMs(5)), "certificates changed");
        assertWrite(withHeartbeat(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)),
                h -> h.setProtocolVersion(2)), "protocol versions it speaks changed");
        assertEquals(ResultCode.RESULT_OK, confirm(withHeartbeat(beat("server1", report("web", 1,
                ActivityProto.ACTIVITY_ACTIVE)), h -> h.setConfigHash("cafe"))).getCode(),
                "at protocol 1 the state keeps no file hash: a new one is no news");
        f.ok(Command.newBuilder().setSetProtocol(io.baton.proto.SetProtocolVersion.newBuilder().setVersion(2)).build());
        assertWrite(withHeartbeat(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)),
                h -> h.setConfigHash("cafe")), "cluster file changed");
        assertWrite(withHeartbeat(beat("server2"), h -> h.setIncarnation(2)), "incarnation 2");
        // Its replica more than ReplicaLag.BEHIND_ENTRIES behind the read: a lagging heartbeat counts.
        CommandResult lagging = f.core.confirm(f.state, withHeartbeat(beat("server2"), h -> h.setAppliedIndex(1)),
                f.index() + ReplicaLag.BEHIND_ENTRIES + 10);
        assertEquals(ResultCode.RESULT_WRITE_NEEDED, lagging.getCode());
        assertTrue(lagging.getMessage().contains("lag"), lagging::getMessage);
        assertEquals(ResultCode.RESULT_OK, confirm(withHeartbeat(beat("server2"), h -> h.setAppliedIndex(f.index()))).getCode());
        assertWrite(withHeartbeat(beat("nobody"), h -> h), "unknown node");
        f.ok(CoreFixture.liveness("server2", false));
        assertWrite(beat("server2"), "down");
    }

    @Test
    void aNodeWhoseIncarnationNeverHeartbeatedWrites() {
        f.ok(Command.newBuilder().setIncarnate(Incarnate.newBuilder().setNode("server2").setBoot(7)).build());
        assertWrite(beat("server2"), "no heartbeat in the log");
    }

    @Test
    void aReportThatWouldMoveThePhaseWrites() {
        started();
        f.group("web").phase = Phase.STARTING; // as after a restart whose first report was not yet committed
        assertWrite(beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)), "moves group 'web' on");
    }

    @Test
    void aFailureRecordThatExpiresWrites() {
        started();
        f.group("db").failures.put("server2", new Failure("server2", f.nextWallMs(), "test"));
        Command later = beat("server2").toBuilder().setWallTimeMs(f.nextWallMs() + 365L * 24 * 3600 * 1000).build();
        assertWrite(later, "failure record expires");
    }

    @Test
    void anotherNodesHeartbeatIsRefused() {
        started();
        Command forged = beat("server1", report("web", 1, ActivityProto.ACTIVITY_ACTIVE)).toBuilder()
                .setProposer("server2").build();
        CommandResult r = confirm(forged);
        assertEquals(ResultCode.RESULT_PERMISSION_DENIED, r.getCode());
        assertTrue(r.getMessage().startsWith(CommandAuthority.DENIED), r::getMessage);
    }

    /**
     * Whenever a read is confirmed, committing the same heartbeat instead changes nothing but what
     * reads may leave behind: checked over a seeded random walk of heartbeats, grants, moves, stops
     * and liveness changes.
     */
    @Test
    void aConfirmedReadIsAHeartbeatWhoseCommitWouldChangeNothing() {
        started();
        Random random = new Random(20261206);
        List<String> nodes = List.of("server1", "server2", "witness");
        List<String> groups = List.of("web", "db", "batch");
        ActivityProto[] activities = {ActivityProto.ACTIVITY_ACTIVE, ActivityProto.ACTIVITY_INACTIVE,
                ActivityProto.ACTIVITY_STARTING, ActivityProto.ACTIVITY_STOPPING, ActivityProto.ACTIVITY_FAILED};
        int confirmed = 0;
        int writes = 0;
        for (int step = 0; step < 5_000; step++) {
            String node = nodes.get(random.nextInt(nodes.size()));
            String group = groups.get(random.nextInt(groups.size()));
            switch (random.nextInt(8)) {
                case 0 -> f.apply(f.decidedGrant(group, node));
                case 1 -> f.apply(CoreFixture.move(group, node));
                case 2 -> f.apply(CoreFixture.stop(group));
                case 3 -> f.apply(CoreFixture.liveness(node, random.nextBoolean()));
                default -> {
                    List<GroupReport> reports = new ArrayList<>();
                    for (String g : groups) {
                        GroupState gs = f.group(g);
                        boolean owner = node.equals(gs.owner);
                        GroupReport last = gs.reports.get(node);
                        if (last != null && random.nextInt(3) > 0) {
                            reports.add(last); // say the same again, often
                        } else {
                            reports.add(report(g, owner ? gs.epoch : random.nextInt(3), activities[random.nextInt(activities.length)])
                                    .toBuilder().setReleased(random.nextInt(4) == 0).build());
                        }
                    }
                    Command hb = beat(node, reports.toArray(new GroupReport[0]));
                    CommandResult read = confirm(hb);
                    if (read.getCode() == ResultCode.RESULT_OK) {
                        confirmed++;
                        ClusterState copy = f.state.copy();
                        CommandResult write = f.core.apply(copy, hb, f.index() + 1);
                        assertEquals(ResultCode.RESULT_OK, write.getCode());
                        assertEquals(read.getHeldList(), write.getHeldList(), "the read answers what the write would");
                        assertEquals(comparable(f.state), comparable(copy), "at step " + step + " " + hb);
                    }
                    if (random.nextBoolean() || read.getCode() != ResultCode.RESULT_OK) {
                        writes++;
                        f.apply(hb);
                    }
                }
            }
        }
        assertTrue(confirmed > 500, "confirmed reads: " + confirmed);
        assertTrue(writes > 500, "writes: " + writes);
    }

    /** The state without what a confirmed read may leave out of it. */
    private static ClusterStateProto comparable(ClusterState s) {
        ClusterStateProto.Builder b = StateCodec.toProto(s).toBuilder();
        for (NodeStateProto.Builder n : b.getNodesBuilderList()) {
            n.clearSeq().clearLastHeartbeatWallMs().clearReplicaLag();
        }
        for (GroupStateProto.Builder g : b.getGroupsBuilderList()) {
            for (NodeReportEntry.Builder e : g.getReportsBuilderList()) {
                e.setReport(HeartbeatReads.significant(e.getReport()));
            }
        }
        return b.build();
    }

    private static Command withHeartbeat(Command c, java.util.function.UnaryOperator<Heartbeat.Builder> change) {
        return c.toBuilder().setHeartbeat(change.apply(c.getHeartbeat().toBuilder())).build();
    }

    private void assertWrite(Command hb, String why) {
        CommandResult r = confirm(hb);
        assertEquals(ResultCode.RESULT_WRITE_NEEDED, r.getCode(), () -> "answer: " + r);
        assertTrue(r.getMessage().contains(why), () -> "'" + r.getMessage() + "' should say " + why);
    }
}
