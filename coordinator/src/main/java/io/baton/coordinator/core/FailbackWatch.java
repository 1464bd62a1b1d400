package io.baton.coordinator.core;

import java.util.Map;

/**
 * The controller's memory for automatic failback (GroupPolicy.Failback.AUTO): for each group ONLINE on a
 * less preferred member, which more preferred member has been eligible without interruption and since when
 * on the leader's monotonic clock, and whether the move back was proposed (once). Immutable: the
 * {@code ControllerRunner} keeps the latest one and passes it to the next decision, so the controller
 * stays a function of its inputs; a new leadership starts from {@link #NONE}.
 *
 * @param byGroup the watch of each group that has one
 */
public record FailbackWatch(Map<String, Watch> byGroup) {

    /** No group watched: what a new leader starts with. */
    public static final FailbackWatch NONE = new FailbackWatch(Map.of());

    public FailbackWatch {
        byGroup = Map.copyOf(byGroup);
    }

    /**
     * @param node       the more preferred member, eligible since {@code sinceNanos}
     * @param epoch      the group's epoch when the watch began: a new grant starts a new watch
     * @param sinceNanos when it was first seen eligible (leader's monotonic clock)
     * @param proposed   the move back was proposed; it is not proposed again while this watch lasts
     */
    public record Watch(String node, long epoch, long sinceNanos, boolean proposed) {}
}
