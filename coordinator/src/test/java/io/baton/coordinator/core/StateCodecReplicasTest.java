package io.baton.coordinator.core;

import static io.baton.proto.ReplicaStateProto.REPLICA_INCONSISTENT;
import static io.baton.proto.ReplicaStateProto.REPLICA_OUTDATED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.proto.ClusterStateProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replica states survive snapshots, following the cluster file's membership. */
class StateCodecReplicasTest {

    @Test
    void replicaStatesRoundTrip() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        ClusterStateProto p = StateCodec.toProto(f.state);
        assertEquals(3, p.getGroups(0).getReplicasCount());
        ClusterState back = StateCodec.fromProto(p, MirrorFixture.TOPOLOGY);
        assertEquals(p, StateCodec.toProto(back));
        assertEquals(Map.of("a", Replica.UP_TO_DATE, "b", Replica.OUTDATED, "c", Replica.INCONSISTENT),
                back.group("g").orElseThrow().replicas());
    }

    @Test
    void aMemberRemovedFromTheGroupLosesItsReplicaState() {
        CoreFixture f = MirrorFixture.onlineOnA(REPLICA_OUTDATED, REPLICA_INCONSISTENT);
        Topology without = new Topology(MirrorFixture.TOPOLOGY.nodes(),
                List.of(new Topology.GroupSpec("g", List.of("a", "b"), true, true)));
        ClusterState s = StateCodec.fromProto(StateCodec.toProto(f.state), without);
        assertEquals(Map.of("a", Replica.UP_TO_DATE, "b", Replica.OUTDATED), s.group("g").orElseThrow().replicas());
    }
}
