package io.baton.coordinator.core;

import static io.baton.coordinator.core.CoreFixture.report;

import io.baton.proto.ActivityProto;
import java.util.List;

/**
 * Groups with policies. Nodes a, b, c (data) and w (witness); groups app [a, b, c] with the default
 * policy (fail over at most 3 times an hour, failure records last 10 minutes), halt [a, b] with
 * on_failure stop, back [a, b] with automatic failback after 60 s.
 */
final class PolicyFixture {
    static final long MINUTE_MS = 60_000;
    static final GroupPolicy STOP = new GroupPolicy(GroupPolicy.OnFailure.STOP, 3, GroupPolicy.HOUR_MS,
            10 * MINUTE_MS, GroupPolicy.Failback.NEVER, MINUTE_MS);
    static final GroupPolicy FAILBACK = new GroupPolicy(GroupPolicy.OnFailure.FAILOVER, 3, GroupPolicy.HOUR_MS,
            10 * MINUTE_MS, GroupPolicy.Failback.AUTO, MINUTE_MS);
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("a", false), new Topology.NodeSpec("b", false),
                    new Topology.NodeSpec("c", false), new Topology.NodeSpec("w", true)),
            List.of(new Topology.GroupSpec("app", List.of("a", "b", "c"), true),
                    new Topology.GroupSpec("halt", List.of("a", "b"), true, false, STOP),
                    new Topology.GroupSpec("back", List.of("a", "b"), true, false, FAILBACK)));

    private PolicyFixture() {}

    /** Every node alive, nothing granted. */
    static CoreFixture allAlive() {
        CoreFixture f = new CoreFixture(TOPOLOGY);
        f.allAlive();
        return f;
    }

    /** Grants {@code group} to {@code node} (as the controller would) and has it report active: ONLINE. */
    static void online(CoreFixture f, String group, String node) {
        f.ok(f.decidedGrant(group, node));
        f.beat(node, report(group, f.group(group).epoch, ActivityProto.ACTIVITY_ACTIVE));
    }
}
