package io.baton.coordinator.core;

import java.util.Collection;
import java.util.OptionalInt;

/**
 * Protocol versions: what a replica may do when it applies a command. Every replica must apply every
 * entry the same way, so a build that knows something new (a command kind, a field kept in the state)
 * does it only once the cluster's version says so, and the version is raised (SetProtocolVersion)
 * only once every node's build speaks it. A rolling upgrade therefore runs at the old version until
 * the last node is upgraded, then moves up by one entry. Versions:
 * <ol>
 *   <li>The first (no version recorded in the state).</li>
 *   <li>Heartbeats carry the hash of the sender's cluster file, kept in the state (status says
 *       "mismatch" when the nodes' files differ).</li>
 *   <li>SetMembership: operators add, remove and replace nodes, and the state keeps the membership.</li>
 *   <li>ApplyConfig: operators apply a changed cluster file (groups, resources, monitors) without a
 *       restart; heartbeats carry the configuration version the sender runs by.</li>
 * </ol>
 */
public final class Protocol {
    /** The highest version this build speaks. */
    public static final int THIS_BUILD = 4;
    /** What a state without a version, or a node that said none, speaks. */
    public static final int FIRST = 1;
    /** From this version on, a heartbeat's cluster file hash is kept in the state. */
    public static final int CONFIG_HASH = 2;
    /** From this version on, SetMembership is applied (a build of version 2 does not know it). */
    public static final int MEMBERSHIP = 3;
    /** From this version on, ApplyConfig is applied and a heartbeat's configuration version kept. */
    public static final int CONFIG_APPLY = 4;

    private Protocol() {
    }

    /** A recorded version, 0 meaning {@link #FIRST}. */
    public static int of(int recorded) {
        return recorded <= 0 ? FIRST : recorded;
    }

    /**
     * The version the cluster may move to: the highest that every node's build speaks, if it is above
     * {@code current} and this build speaks it too; else none. A node that never said (an older build,
     * or not heard since the state began) speaks {@link #FIRST}.
     */
    public static OptionalInt raiseTo(int current, Collection<Integer> spokenByEachNode) {
        int common = spokenByEachNode.stream().mapToInt(Protocol::of).min().orElse(FIRST);
        int target = Math.min(common, THIS_BUILD);
        return target > of(current) ? OptionalInt.of(target) : OptionalInt.empty();
    }
}
