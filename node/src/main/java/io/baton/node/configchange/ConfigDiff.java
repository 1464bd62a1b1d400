package io.baton.node.configchange;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.ResourceConfig;
import io.baton.node.membership.Members;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a cluster file proposed by {@code batonctl config apply} changes against the configuration the
 * cluster runs by, and what of it cannot be applied live. A pure function of the two configurations and
 * the live membership: the proposer uses it to refuse or describe a change, every node's follower to
 * decide, group by group, what its agent does.
 *
 * <p>Live: groups added or removed, a group's members, autostart, failure and failback policy, probe
 * wait, and its monitors and restart policies (the running application is left alone; the next check
 * runs by the new settings). A group whose resources change otherwise (a script, a port, a resource
 * added) is rebuilt, which needs it stopped. Not live: cluster timings, TLS, alerts, nodes (those
 * change with {@code batonctl node}), and mirror disks.
 *
 * @param refusals what cannot be applied live, each naming the field; empty if the change can be applied
 * @param changes  one line per change, for the operator and the event
 * @param groups   what happens to each group of either configuration
 */
public record ConfigDiff(List<String> refusals, List<String> changes, Map<String, Kind> groups) {

    /** What a group's change means for the node that runs it. */
    public enum Kind {
        /** Unchanged. */
        SAME,
        /** New: each member builds its runtime. */
        ADDED,
        /** Gone: each member drops its runtime (the group must be stopped). */
        REMOVED,
        /** Only monitors, restart policies or group settings changed: applied to the running group. */
        RETUNED,
        /** Its resources changed: each member builds a new runtime (the group must be stopped). */
        REBUILT
    }

    public ConfigDiff {
        refusals = List.copyOf(refusals);
        changes = List.copyOf(changes);
        groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** Whether nothing changes at all. */
    public boolean empty() {
        return changes.isEmpty();
    }

    /** The groups whose resources change: the core applies the change only while each has no owner. */
    public List<String> offlineRequired() {
        return groups.entrySet().stream().filter(e -> e.getValue() == Kind.REBUILT).map(Map.Entry::getKey).toList();
    }

    /**
     * @param running the configuration the cluster runs by (the cluster file, with the groups of the last
     *                applied configuration)
     * @param next    the proposed one
     * @param live    the live membership: {@code next}'s nodes must be exactly its nodes
     */
    public static ConfigDiff between(ClusterConfig running, ClusterConfig next, MembershipProto live) {
        List<String> refusals = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        clusterField(refusals, "cluster.name", running.name(), next.name());
        clusterField(refusals, "cluster.heartbeat_interval", running.heartbeatInterval(), next.heartbeatInterval());
        clusterField(refusals, "cluster.lease", running.lease(), next.lease());
        clusterField(refusals, "cluster.max_clock_drift", running.maxClockDrift(), next.maxClockDrift());
        clusterField(refusals, "cluster.takeover_margin", running.takeoverMargin(), next.takeoverMargin());
        clusterField(refusals, "cluster.stop_budget", running.stopBudget(), next.stopBudget());
        clusterField(refusals, "cluster.election_timeout", running.electionTimeout(), next.electionTimeout());
        clusterField(refusals, "cluster.insecure", running.insecure(), next.insecure());
        if (!Objects.equals(running.tls(), next.tls())) {
            refusals.add("tls: changes need a restart of every node (docs/security.md)");
        }
        if (!running.alerts().equals(next.alerts())) {
            refusals.add("alerts: changes need a restart of each node, one at a time");
        }
        nodes(refusals, next, live);

        Map<String, Kind> kinds = new LinkedHashMap<>();
        Map<String, GroupConfig> before = new LinkedHashMap<>();
        running.groups().forEach(g -> before.put(g.name(), g));
        Set<String> seen = new HashSet<>();
        for (GroupConfig g : next.groups()) {
            seen.add(g.name());
            GroupConfig was = before.get(g.name());
            if (was == null) {
                kinds.put(g.name(), Kind.ADDED);
                changes.add("group '" + g.name() + "' added (on " + String.join(", ", g.nodes()) + ")");
                if (g.hasMirrorDisk()) {
                    refusals.add("groups." + g.name() + ": a group with a mirror disk cannot be added by config apply"
                            + " (its disk is set up when a node starts; docs/configuration.md)");
                }
                continue;
            }
            Kind kind = kind(was, g);
            kinds.put(g.name(), kind);
            if (kind == Kind.SAME) {
                continue;
            }
            changes.addAll(GroupChanges.describe(was, g));
            if (!mirrorDisks(was).equals(mirrorDisks(g))) {
                refusals.add("groups." + g.name() + ": its mirror disk cannot be changed by config apply");
            } else if (g.hasMirrorDisk() && !was.nodes().equals(g.nodes())
                    && !new HashSet<>(was.nodes()).equals(new HashSet<>(g.nodes()))) {
                refusals.add("groups." + g.name() + ".nodes: the members of a group with a mirror disk change with"
                        + " 'batonctl node replace' (docs/membership.md), which copies the disk to the new member");
            }
        }
        for (GroupConfig was : running.groups()) {
            if (!seen.contains(was.name())) {
                kinds.put(was.name(), Kind.REMOVED);
                changes.add("group '" + was.name() + "' removed");
                if (was.hasMirrorDisk()) {
                    refusals.add("groups." + was.name() + ": a group with a mirror disk cannot be removed by config apply");
                }
            }
        }
        return new ConfigDiff(refusals, changes, kinds);
    }

    /** How group {@code was} becomes {@code now}: unchanged, retuned in place, or rebuilt. */
    static Kind kind(GroupConfig was, GroupConfig now) {
        if (was.equals(now)) {
            return Kind.SAME;
        }
        if (was.resources().size() != now.resources().size()) {
            return Kind.REBUILT;
        }
        for (int i = 0; i < was.resources().size(); i++) {
            ResourceConfig a = was.resources().get(i);
            ResourceConfig b = now.resources().get(i);
            if (!withoutMonitor(a).equals(withoutMonitor(b)) || monitored(a) != monitored(b)) {
                return Kind.REBUILT;
            }
        }
        return Kind.RETUNED;
    }

    /** The resource with its monitor and restart policy left out: what a running application depends on. */
    private static ResourceConfig withoutMonitor(ResourceConfig r) {
        if (r instanceof ExecResourceConfig e) {
            return new ExecResourceConfig(e.name(), e.start(), e.stop(), e.timeout(), e.stopTimeout(), e.env(), null, null);
        }
        return r;
    }

    private static boolean monitored(ResourceConfig r) {
        return r instanceof ExecResourceConfig e && e.monitor() != null;
    }

    private static List<ResourceConfig> mirrorDisks(GroupConfig g) {
        return g.resources().stream().filter(r -> r instanceof MirrorDiskResourceConfig).toList();
    }

    private static void clusterField(List<String> refusals, String field, Object was, Object now) {
        if (!Objects.equals(was, now)) {
            refusals.add(field + ": " + GroupChanges.shown(was) + " -> " + GroupChanges.shown(now) + " cannot change live: it needs every node restarted"
                    + " with the new file (docs/configuration.md)");
        }
    }

    /** The file's nodes must be the live membership's: nodes change with batonctl node add, remove, replace. */
    private static void nodes(List<String> refusals, ClusterConfig next, MembershipProto live) {
        Map<String, MemberProto> want = new LinkedHashMap<>();
        next.nodes().forEach(n -> want.put(n.id(), Members.member(n)));
        Map<String, MemberProto> have = new LinkedHashMap<>();
        live.getNodesList().forEach(n -> have.put(n.getId(), n));
        List<String> problems = new ArrayList<>();
        want.forEach((id, n) -> {
            MemberProto h = have.get(id);
            if (h == null) {
                problems.add("'" + id + "' is not a node of the cluster");
            } else if (!h.equals(n)) {
                problems.add("'" + id + "' differs from the live membership (" + h.getRaft() + ", admin " + h.getAdmin() + ")");
            }
        });
        have.keySet().stream().filter(id -> !want.containsKey(id))
                .forEach(id -> problems.add("'" + id + "' is missing"));
        if (!problems.isEmpty()) {
            refusals.add("nodes: " + String.join("; ", problems) + ": nodes change with 'batonctl node add|remove|replace'"
                    + " (docs/membership.md), and the file must list the live membership");
        }
    }
}
