package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;

import io.baton.proto.ActivityProto;
import io.baton.proto.ReplicaStateProto;
import java.util.List;

/**
 * A cluster with a mirrored group: data nodes a, b, c and a witness; group g [a, b, c] has a mirror
 * disk, group plain [a, b] has none.
 */
final class MirrorFixture {
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("a", false), new Topology.NodeSpec("b", false),
                    new Topology.NodeSpec("c", false), new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("g", List.of("a", "b", "c"), true, true),
                    new Topology.GroupSpec("plain", List.of("a", "b"), true)));

    private MirrorFixture() {}

    static CoreFixture fresh() {
        CoreFixture f = new CoreFixture(TOPOLOGY);
        f.allAlive();
        return f;
    }

    /** g granted to a (its first grant: a UpToDate, b and c Inconsistent) and online. */
    static CoreFixture onlineOnA() {
        CoreFixture f = fresh();
        f.ok(CoreFixture.grant("g", "a", 0));
        f.beat("a", report("g", 1, ActivityProto.ACTIVITY_ACTIVE));
        return f;
    }

    /** As {@link #onlineOnA}, then a records b as {@code b} and c as {@code c}. */
    static CoreFixture onlineOnA(ReplicaStateProto b, ReplicaStateProto c) {
        CoreFixture f = onlineOnA();
        f.ok(CoreFixture.replicaUpdate("g", "b", b, "a", 1));
        f.ok(CoreFixture.replicaUpdate("g", "c", c, "a", 1));
        return f;
    }
}
