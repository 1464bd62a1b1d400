package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.liveness;
import static io.baton.coordinator.core.CoreFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.Event;
import io.baton.proto.ResultCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Liveness, malformed commands, the event log, determinism and the snapshot codec. */
class CoreMiscTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void livenessRecordsOnlyChanges() {
        f.allAlive();
        int events = f.state.events().size();
        f.ok(liveness("server2", false));
        assertFalse(f.node("server2").alive);
        Event down = f.state.events().get(events);
        assertEquals("node-down", down.getKind());
        assertEquals("server2", down.getNode());

        ClusterStateProto before = StateCodec.toProto(f.state);
        f.ok(liveness("server2", false));
        assertEquals(before, StateCodec.toProto(f.state), "no change, no event");

        f.ok(liveness("server2", true));
        assertTrue(f.node("server2").alive);
        assertEquals("node-up", f.state.events().get(events + 1).getKind());
        assertEquals("heartbeats resumed", f.state.events().get(events + 1).getMessage());
    }

    @Test
    void livenessDoesNotTouchOwnership() {
        f.webOnlineOnServer1();
        f.ok(liveness("server1", false));
        assertEquals("server1", f.group("web").owner);
        assertEquals(Phase.ONLINE, f.group("web").phase);
    }

    @Test
    void livenessOfUnknownNodeIsNotFound() {
        f.refused(liveness("ghost", false), ResultCode.RESULT_NOT_FOUND, "ghost");
    }

    @Test
    void emptyCommandIsInvalid() {
        f.refused(Command.getDefaultInstance(), ResultCode.RESULT_INVALID_ARGUMENT, "empty command");
    }

    @Test
    void eventsCarryWallTimeLogIndexAndIncreasingSeq() {
        f.allAlive();
        List<Event> events = f.state.events();
        assertEquals(3, events.size());
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            assertEquals(i + 1, e.getSeq());
            assertEquals(i + 1, e.getLogIndex());
            assertEquals(1_001 + i, e.getWallTimeMs());
        }
        assertEquals(4, f.state.nextEventSeq());
    }

    @Test
    void eventsAreBoundedToTheMostRecent() {
        f.allAlive();
        int toggles = ClusterState.EVENTS_KEPT + 100;
        for (int i = 0; i < toggles; i++) {
            f.ok(liveness("server1", i % 2 == 1));
        }
        List<Event> events = f.state.events();
        assertEquals(ClusterState.EVENTS_KEPT, events.size());
        long next = f.state.nextEventSeq();
        assertEquals(3 + toggles + 1, next);
        assertEquals(next - ClusterState.EVENTS_KEPT, events.get(0).getSeq(), "the oldest fell off");
        assertEquals(next - 1, events.get(events.size() - 1).getSeq());
        assertEquals(f.lastIndex(), events.get(events.size() - 1).getLogIndex());
    }

    @Test
    void applyingTheSameLogGivesTheSameState() {
        List<Command> log = scriptedLog();
        CoreFixture a = new CoreFixture();
        CoreFixture b = new CoreFixture();
        List<String> resultsA = new ArrayList<>();
        List<String> resultsB = new ArrayList<>();
        log.forEach(c -> resultsA.add(a.apply(c).toString()));
        log.forEach(c -> resultsB.add(b.apply(c).toString()));
        assertEquals(resultsA, resultsB);
        assertEquals(StateCodec.toProto(a.state), StateCodec.toProto(b.state));
        assertEquals(StateCodec.toProto(a.state), StateCodec.toProto(a.state.copy()), "copy is equal");
    }

    @Test
    void copyIsIndependent() {
        f.webOnlineOnServer1();
        ClusterState copy = f.state.copy();
        ClusterStateProto before = StateCodec.toProto(copy);
        f.ok(CoreFixture.move("web", "server2"));
        f.beat("server2", report("web", 1, ActivityProto.ACTIVITY_FAILED));
        assertEquals(before, StateCodec.toProto(copy));
    }

    @Test
    void codecRoundTripIsExact() {
        scriptedLog().forEach(f::apply);
        GroupState web = f.group("web");
        assertTrue(web.moveTarget != null && !web.reports.isEmpty() && !f.group("db").failedOn().isEmpty(),
                "the script should exercise every field");
        ClusterStateProto p = StateCodec.toProto(f.state);
        ClusterState back = StateCodec.fromProto(p, CoreFixture.TOPOLOGY);
        assertEquals(p, StateCodec.toProto(back));
        assertEquals(f.state.nextEventSeq(), back.nextEventSeq());
        // the rebuilt state keeps working identically
        Command next = CoreFixture.heartbeat("server1", 9, 1, CoreFixture.released("web", web.epoch));
        assertEquals(new Core(CoreFixture.TOPOLOGY).apply(back, next, 99), f.core.apply(f.state, next, 99));
        assertEquals(StateCodec.toProto(f.state), StateCodec.toProto(back));
    }

    @Test
    void codecFollowsTheTopologyOfTheCluster() {
        scriptedLog().forEach(f::apply);
        Topology changed = new Topology(
                List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                        new Topology.NodeSpec("server3", false)),
                List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true),
                        new Topology.GroupSpec("mail", List.of("server3"), true)));
        ClusterState s = StateCodec.fromProto(StateCodec.toProto(f.state), changed);
        assertEquals(List.of("web", "mail"), s.groups().stream().map(GroupState::name).toList());
        assertEquals(List.of("server1", "server2", "server3"), s.nodes().stream().map(NodeState::id).toList());
        assertEquals(f.group("web").epoch, s.group("web").orElseThrow().epoch);
        assertEquals(0, s.group("mail").orElseThrow().epoch);
        assertFalse(s.node("server3").orElseThrow().alive);
    }

    @Test
    void emptySnapshotStartsTheEventSeqAtOne() {
        ClusterState s = StateCodec.fromProto(ClusterStateProto.getDefaultInstance(), CoreFixture.TOPOLOGY);
        assertEquals(1, s.nextEventSeq());
        assertEquals(StateCodec.toProto(ClusterState.initial(CoreFixture.TOPOLOGY)), StateCodec.toProto(s));
    }

    /** A log that leaves web releasing towards server2 with reports, db failed on server2, batch started. */
    private static List<Command> scriptedLog() {
        return List.of(
                CoreFixture.heartbeat("server1", 1, 1),
                CoreFixture.heartbeat("server2", 1, 1),
                CoreFixture.heartbeat("witness", 1, 1),
                CoreFixture.grant("web", "server1", 0),
                CoreFixture.grant("db", "server2", 0),
                CoreFixture.heartbeat("server1", 1, 2, report("web", 1, ActivityProto.ACTIVITY_ACTIVE)),
                CoreFixture.heartbeat("server2", 1, 2, report("db", 1, ActivityProto.ACTIVITY_FAILED)),
                CoreFixture.move("web", "server2"),
                CoreFixture.start("batch", ""),
                CoreFixture.liveness("witness", false),
                CoreFixture.grant("web", "witness", 1),
                CoreFixture.stop("nope"));
    }
}
