package io.baton.coordinator.core;

import io.baton.proto.AppliedConfigProto;
import io.baton.proto.Event;
import io.baton.proto.MembershipProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole replicated state: every group's grant and phase, every node's liveness, and a bounded
 * log of recent events. Identical on every node at the same log index.
 */
public final class ClusterState {
    /** How many events are kept; older ones fall off (the watch API shows recent history only). */
    public static final int EVENTS_KEPT = 500;

    final Map<String, GroupState> groups = new LinkedHashMap<>();
    final Map<String, NodeState> nodes = new LinkedHashMap<>();
    final Deque<Event> events = new ArrayDeque<>();
    long nextEventSeq = 1;
    /** Every event up to this seq has been delivered to the alerts (AlertsDelivered). */
    long alertsDeliveredSeq;
    /** The protocol version commands are applied by ({@link Protocol}; 0 means the first). */
    int protocolVersion;
    /** The membership an operator set ({@link Membership}); null: the cluster file's nodes and groups. */
    MembershipProto membership;
    /** The configuration an operator applied ({@link ConfigChange}); null: the cluster file's groups. */
    AppliedConfigProto appliedConfig;
    /**
     * {@link #appliedConfig}'s groups and {@link #membership} over the file topology {@link #liveFor},
     * computed once per change of either.
     */
    private Topology live;
    private Topology liveFor;

    /** The initial state for a topology: every group offline, every node not yet heard from. */
    public static ClusterState initial(Topology topology) {
        ClusterState s = new ClusterState();
        topology.nodes().forEach(n -> s.nodes.put(n.id(), new NodeState(n.id())));
        topology.groups().forEach(g -> {
            GroupState group = new GroupState(g.name());
            // A group without autostart waits for an operator's start, exactly like a stopped one.
            group.adminStopped = !g.autostart();
            s.groups.put(g.name(), group);
        });
        return s;
    }

    public ClusterState copy() {
        ClusterState c = new ClusterState();
        groups.forEach((k, v) -> c.groups.put(k, v.copy()));
        nodes.forEach((k, v) -> c.nodes.put(k, v.copy()));
        c.events.addAll(events);
        c.nextEventSeq = nextEventSeq;
        c.alertsDeliveredSeq = alertsDeliveredSeq;
        c.protocolVersion = protocolVersion;
        c.membership = membership;
        c.appliedConfig = appliedConfig;
        c.live = live;
        c.liveFor = liveFor;
        return c;
    }

    public Optional<GroupState> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    /** A copy of one group's state, detached from this state. */
    public Optional<GroupState> groupCopy(String name) {
        return Optional.ofNullable(groups.get(name)).map(GroupState::copy);
    }

    public Collection<GroupState> groups() {
        return List.copyOf(groups.values());
    }

    public Optional<NodeState> node(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    public Collection<NodeState> nodes() {
        return List.copyOf(nodes.values());
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    /** The protocol version commands are applied by, at least {@link Protocol#FIRST}. */
    public int protocolVersion() {
        return Protocol.of(protocolVersion);
    }

    /** The membership an operator set, if any (else the cluster file's applies). */
    public Optional<MembershipProto> membership() {
        return Optional.ofNullable(membership);
    }

    void setMembership(MembershipProto m) {
        membership = m;
        live = null;
        liveFor = null;
    }

    /** The configuration an operator applied, if any (else the cluster file's groups apply). */
    public Optional<AppliedConfigProto> appliedConfig() {
        return Optional.ofNullable(appliedConfig);
    }

    void setAppliedConfig(AppliedConfigProto c) {
        appliedConfig = c;
        live = null;
        liveFor = null;
    }

    /** The version of the applied configuration (0: the cluster file's, never applied). */
    public long configVersion() {
        return appliedConfig == null ? 0 : appliedConfig.getVersion();
    }

    /**
     * Whether {@code node} runs its groups by a configuration older than the applied one (its heartbeat
     * says so): it is granted nothing new until it has caught up.
     */
    public boolean configBehind(String node) {
        NodeState n = nodes.get(node);
        return appliedConfig != null && (n == null || n.configVersion < appliedConfig.getVersion());
    }

    /**
     * The topology the cluster runs by: {@code file} itself until an operator applied a configuration
     * (its groups replace the file's) or changed the membership (its nodes and members apply).
     */
    public Topology topology(Topology file) {
        if (membership == null && appliedConfig == null) {
            return file;
        }
        if (live == null || liveFor != file) {
            live = compose(file, appliedConfig, membership);
            liveFor = file;
        }
        return live;
    }

    /** {@code file} with the applied configuration's groups, then the membership's nodes and members. */
    static Topology compose(Topology file, AppliedConfigProto applied, MembershipProto membership) {
        Topology groups = applied == null ? file : new Topology(file.nodes(), ConfigChange.groups(applied));
        return membership == null ? groups : Membership.over(groups, membership);
    }

    /** The alert cursor: every event up to this seq has been delivered to the alerts. */
    public long alertsDeliveredSeq() {
        return alertsDeliveredSeq;
    }

    public long nextEventSeq() {
        return nextEventSeq;
    }

    void addEvent(Event.Builder event) {
        events.addLast(event.setSeq(nextEventSeq++).build());
        while (events.size() > EVENTS_KEPT) {
            events.removeFirst();
        }
    }
}
