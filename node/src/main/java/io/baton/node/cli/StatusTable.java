package io.baton.node.cli;

import io.baton.node.admin.StatusBuilder;

import io.baton.proto.FailureRecord;
import io.baton.proto.GroupReport;
import io.baton.proto.MonitorReport;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.RaftFollower;
import io.baton.proto.admin.RaftHealth;
import io.baton.proto.admin.ReplicaStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Renders a ClusterStatus as the human-readable text of {@code batonctl status}. Pure. */
public final class StatusTable {
    private static final String NODE_INDENT = "    ";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /**
     * Up to this many groups to show, each has its full section (its line and its members' lines);
     * above it, one line each, so that 200 groups fit in a screenful or two and trouble stands out.
     * Twenty sections of two or three members are about a screen of 60 to 80 lines.
     */
    static final int FULL_GROUPS_MAX = 20;

    /** In a cluster of more than {@link #FULL_GROUPS_MAX} groups, the Maintenance: line names at most this many. */
    static final int MAINTENANCE_NAMES_MAX = 5;

    private StatusTable() {
    }

    static String render(ClusterStatus status) {
        return render(status, Instant.now());
    }

    /** As above; {@code now} decides which certificates expire soon enough for a warning. */
    static String render(ClusterStatus status, Instant now) {
        return render(status, GroupFilter.ALL, false, now);
    }

    /**
     * The header and the nodes as above, and the groups {@code filter} selects; the header's lines
     * (Groups:, Maintenance:) are about the whole cluster whatever the filter. More than
     * {@link #FULL_GROUPS_MAX} groups to show are one line each, unless {@code full} or each was named.
     *
     * @throws CtlException when the filter names a group that does not exist
     */
    static String render(ClusterStatus status, GroupFilter filter, boolean full, Instant now) {
        List<GroupStatus> shown = filter.select(status);
        boolean compact = !full && !filter.namedOnly() && shown.size() > FULL_GROUPS_MAX;
        StringBuilder sb = new StringBuilder();
        sb.append("Cluster:     ").append(Names.orDash(status.getCluster())).append('\n');
        sb.append("Leader:      ").append(status.getLeader().isEmpty() ? "(none)" : status.getLeader()).append('\n');
        sb.append("Raft:        ").append(raft(status.getRaft())).append('\n');
        sb.append("Answered by: ").append(Names.orDash(status.getAnsweredBy())).append('\n');
        if (!status.getWarning().isEmpty()) {
            sb.append("Warning:     ").append(status.getWarning()).append('\n');
        }
        for (String expiring : certificateWarnings(status.getNodesList(), now)) {
            sb.append("Warning:     ").append(expiring).append('\n');
        }
        configMismatch(status).ifPresent(m -> sb.append("Warning:     ").append(m).append('\n'));
        configBehind(status).ifPresent(m -> sb.append("Warning:     ").append(m).append('\n'));
        if (!status.getMembershipMismatch().isEmpty()) {
            sb.append("Warning:     ").append(status.getMembershipMismatch()).append('\n');
        }
        protocolUpgrade(status).ifPresent(p -> sb.append("Protocol:    ").append(p).append('\n'));
        sb.append("Groups:      ").append(summary(status)).append('\n');
        List<String> maintenance = status.getGroupsList().stream().filter(GroupStatus::getMaintenance)
                .map(GroupStatus::getName).toList();
        if (!maintenance.isEmpty()) {
            sb.append("Maintenance: ").append(maintenanceNames(maintenance, status.getGroupsCount()))
                    .append(" (no automatic start, failover, takeover or failback)\n");
        }
        sb.append('\n');
        appendNodes(sb, status.getNodesList(), status.getRaft());
        sb.append('\n');
        if (shown.isEmpty()) {
            sb.append(status.getGroupsCount() == 0 || filter.all() ? "(no groups)\n"
                    : "(no group matches " + filter.patternsText() + ")\n");
            return sb.toString();
        }
        appendGroups(sb, status, shown, !compact);
        appendGroupLines(sb, shown);
        if (compact) {
            sb.append("\nOne line per group (more than ").append(FULL_GROUPS_MAX).append("): 'batonctl status GROUP'")
                    .append(" shows a group's members and resources, 'batonctl status --full' every group's.\n");
        }
        return sb.toString();
    }

    /**
     * Every name in a cluster of up to {@link #FULL_GROUPS_MAX} groups; in a larger one, "all 200
     * groups" or the first few and how many more (the groups' lines say MAINTENANCE).
     */
    private static String maintenanceNames(List<String> names, int groups) {
        if (groups <= FULL_GROUPS_MAX || names.size() <= MAINTENANCE_NAMES_MAX) {
            return String.join(", ", names);
        }
        if (names.size() == groups) {
            return "all " + groups + " groups";
        }
        return String.join(", ", names.subList(0, MAINTENANCE_NAMES_MAX)) + " and "
                + (names.size() - MAINTENANCE_NAMES_MAX) + " more";
    }

    /** The order of the phases in the summary: the settled and healthy first, the failed last. */
    private static final List<String> PHASE_ORDER = List.of("online", "starting", "releasing", "offline", "stopped",
            "failed");

    /**
     * How many groups, how many in each phase, and what an operator must notice among them, on one line:
     * "200 (198 online, 1 offline, 1 failed; 2 in maintenance; 1 held; 1 replica not UpToDate)".
     */
    public static String summary(ClusterStatus status) {
        List<GroupStatus> groups = status.getGroupsList();
        if (groups.isEmpty()) {
            return "0";
        }
        Map<String, Integer> phases = new TreeMap<>(Comparator.comparingInt(StatusTable::phaseRank)
                .thenComparing(Comparator.naturalOrder()));
        groups.forEach(g -> phases.merge(Names.phase(g), 1, Integer::sum));
        String counts = phases.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        List<String> trouble = new ArrayList<>();
        count(trouble, groups.stream().filter(GroupStatus::getMaintenance).count(), "in maintenance");
        count(trouble, groups.stream().filter(GroupStatus::getHeld).count(), "held");
        count(trouble, groups.stream().filter(GroupStatus::getDegraded).count(), "degraded");
        count(trouble, groups.stream().filter(g -> waitsForUpToDateReplica(status, g)).count(),
                "waiting for an UpToDate replica");
        count(trouble, groups.stream().filter(g -> g.getWarningsCount() > 0).count(), "with warnings");
        count(trouble, groups.stream().filter(g -> g.getFailuresCount() > 0).count(), "with failure records");
        long replicas = groups.stream().flatMap(g -> g.getReplicasList().stream()).filter(StatusTable::notUpToDate).count();
        count(trouble, replicas, replicas == 1 ? "replica not UpToDate" : "replicas not UpToDate");
        return groups.size() + " (" + counts + (trouble.isEmpty() ? "" : "; " + String.join("; ", trouble)) + ")";
    }

    private static int phaseRank(String phase) {
        int rank = PHASE_ORDER.indexOf(phase);
        return rank < 0 ? PHASE_ORDER.size() : rank;
    }

    private static void count(List<String> parts, long n, String what) {
        if (n > 0) {
            parts.add(n + " " + what);
        }
    }

    /**
     * A replica that misses writes (Outdated, Inconsistent) or is being resynced. A new disk that was
     * never granted (no state recorded) misses nothing and is not counted.
     */
    private static boolean notUpToDate(ReplicaStatus r) {
        return r.getState() == ReplicaStateProto.REPLICA_OUTDATED || r.getState() == ReplicaStateProto.REPLICA_INCONSISTENT
                || (r.hasPeer() && r.getPeer().getSyncing());
    }

    /**
     * When the nodes did not all load the same cluster file (by its SHA-256, as their heartbeats said;
     * a node that has not said is left out): which loaded which, the most common file first.
     */
    public static Optional<String> configMismatch(ClusterStatus status) {
        List<NodeStatus> nodes = status.getNodesList();
        if (!status.getConfigAppliedHash().isEmpty()) {
            List<String> differ = nodes.stream().filter(n -> !n.getConfigHash().isEmpty()
                    && !n.getConfigHash().equals(status.getConfigAppliedHash())).map(NodeStatus::getId).toList();
            return differ.isEmpty() ? Optional.empty() : Optional.of("cluster file mismatch: " + String.join(" and ", differ)
                    + (differ.size() == 1 ? " has" : " have") + " a cluster file other than the applied configuration (version "
                    + status.getConfigVersion() + ", " + io.baton.node.config.ConfigFingerprint.shortForm(status.getConfigAppliedHash())
                    + "): copy the file you applied to " + (differ.size() == 1 ? "it" : "them"));
        }
        Map<String, List<String>> byHash = new TreeMap<>();
        for (NodeStatus n : nodes) {
            if (!n.getConfigHash().isEmpty()) {
                byHash.computeIfAbsent(n.getConfigHash(), h -> new ArrayList<>()).add(n.getId());
            }
        }
        if (byHash.size() < 2) {
            return Optional.empty();
        }
        List<Map.Entry<String, List<String>>> files = new ArrayList<>(byHash.entrySet());
        files.sort(Comparator.comparing((Map.Entry<String, List<String>> e) -> -e.getValue().size())
                .thenComparing(e -> e.getValue().get(0)));
        return Optional.of("cluster file mismatch: " + files.stream()
                .map(e -> String.join(" and ", e.getValue()) + " loaded " + io.baton.node.config.ConfigFingerprint.shortForm(e.getKey()))
                .collect(Collectors.joining(", ")) + " (copy one file to every node; 'batonctl config apply FILE' makes a change live)");
    }

    /**
     * The nodes that do not yet run the applied configuration (a group to rebuild still stopping, or a
     * node that cannot load it): they are granted no group until they do. Nothing when all do.
     */
    public static Optional<String> configBehind(ClusterStatus status) {
        if (status.getConfigVersion() == 0) {
            return Optional.empty();
        }
        List<String> behind = status.getNodesList().stream().filter(n -> n.getAlive() && n.getRole().equals("data")
                && n.getConfigVersion() < status.getConfigVersion())
                .map(n -> n.getId() + " (version " + n.getConfigVersion() + ")").toList();
        return behind.isEmpty() ? Optional.empty() : Optional.of("configuration version " + status.getConfigVersion()
                + " not yet run by " + String.join(", ", behind) + ": granted no group until it is (see its log)");
    }

    /**
     * During a rolling upgrade (some node speaks a higher protocol version than the cluster runs): the
     * version, who speaks what, and that it rises once every node speaks the new one. Nothing otherwise.
     * A node that has not said speaks the first version (an older build).
     */
    public static Optional<String> protocolUpgrade(ClusterStatus status) {
        int cluster = Math.max(1, status.getProtocolVersion());
        Map<Integer, List<String>> bySpoken = new TreeMap<>();
        for (NodeStatus n : status.getNodesList()) {
            bySpoken.computeIfAbsent(Math.max(1, n.getProtocolSupported()), v -> new ArrayList<>()).add(n.getId());
        }
        int highest = bySpoken.keySet().stream().mapToInt(Integer::intValue).max().orElse(cluster);
        if (highest <= cluster) {
            return Optional.empty();
        }
        List<String> behind = bySpoken.entrySet().stream().filter(e -> e.getKey() < highest)
                .flatMap(e -> e.getValue().stream()).toList();
        return Optional.of(cluster + " (rolling upgrade: " + String.join(" and ", bySpoken.get(highest)) + " speak "
                + highest + ", " + String.join(" and ", behind) + " not yet; it rises once every node does)");
    }

    /** A certificate within this of its end is a warning (as at the node's start, NodeCredentials). */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    /** One line per node certificate or CA certificate that expires within {@link #EXPIRY_WARNING} or has expired. */
    public static List<String> certificateWarnings(List<NodeStatus> nodes, Instant now) {
        List<String> warnings = new ArrayList<>();
        for (NodeStatus n : nodes) {
            expiring(n.getId() + "'s node certificate", n.getCertificateNotAfterMs(), now).ifPresent(warnings::add);
            expiring(n.getId() + "'s CA certificate", n.getCaNotAfterMs(), now).ifPresent(warnings::add);
        }
        return warnings;
    }

    private static Optional<String> expiring(String what, long notAfterMs, Instant now) {
        if (notAfterMs <= 0) {
            return Optional.empty(); // no TLS, or not reported yet
        }
        Instant end = Instant.ofEpochMilli(notAfterMs);
        if (end.isAfter(now.plus(EXPIRY_WARNING))) {
            return Optional.empty();
        }
        if (!end.isAfter(now)) {
            return Optional.of(what + " expired on " + TIME.format(end) + ": issue a new one (docs/security.md)");
        }
        long days = Duration.between(now, end).toDays();
        return Optional.of(what + " expires in " + days + " day" + (days == 1 ? "" : "s") + " ("
                + TIME.format(end) + "): issue a new one (docs/security.md)");
    }

    /**
     * Whether the leader hears every voter: "in contact" means the cluster survives the loss of as many
     * nodes as the quorum allows; "DEGRADED" names the voters the leader has not heard lately.
     */
    public static String raft(RaftHealth h) {
        if (!h.getKnown()) {
            return "unknown (no report from the leader)";
        }
        String survives = h.getFailuresTolerated() == 0 ? "one more node lost stops the cluster (no quorum)"
                : "survives the loss of " + h.getFailuresTolerated() + " more node" + (h.getFailuresTolerated() == 1 ? "" : "s");
        List<String> missing = h.getFollowersList().stream().filter(f -> !f.getInContact())
                .map(f -> f.getNode() + notInContact(f)).toList();
        if (missing.isEmpty()) {
            return "leader " + h.getLeader() + " in contact with all " + h.getVoters() + " voters; " + survives;
        }
        return "DEGRADED: leader " + h.getLeader() + " has not heard " + String.join(", ", missing) + "; "
                + h.getInContact() + " of " + h.getVoters() + " voters in contact, " + survives;
    }

    /** Why a follower is not in contact: not heard, or heard while its replica does not advance. */
    private static String notInContact(RaftFollower f) {
        if (f.getLastHeardMs() < 0) {
            return " (never)";
        }
        if (f.getBehind() > StatusBuilder.REPLICA_BEHIND_MAX) {
            return " (replica behind by " + f.getBehind() + " entries)";
        }
        return " for " + seconds(f.getLastHeardMs());
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static void appendNodes(StringBuilder sb, List<NodeStatus> nodes, RaftHealth raft) {
        if (nodes.isEmpty()) {
            sb.append("(no nodes)\n");
            return;
        }
        TextTable table = new TextTable("ID", "ROLE", "ZONE", "ALIVE", "RAFT", "ADMIN");
        for (NodeStatus n : nodes) {
            String role = n.getRaftRole().isEmpty() ? "unknown" : n.getRaftRole();
            for (RaftFollower f : raft.getFollowersList()) {
                if (f.getNode().equals(n.getId()) && f.getBehind() > StatusBuilder.REPLICA_BEHIND_MAX) {
                    role += ", replica behind by " + f.getBehind() + " entries";
                } else if (f.getNode().equals(n.getId()) && !f.getInContact()) {
                    role += f.getLastHeardMs() < 0 ? ", never heard" : ", not heard for " + seconds(f.getLastHeardMs());
                }
            }
            table.row(n.getId(), Names.orDash(n.getRole()), Names.orDash(n.getZone()),
                    (n.getAlive() ? "up" : "down") + (n.getStandby() ? ", standby" : ""), role,
                    Names.orDash(n.getAdminAddress()));
        }
        table.appendTo(sb, "");
    }

    /** The groups' table; with {@code members}, each group's line followed by its members' lines. */
    private static void appendGroups(StringBuilder sb, ClusterStatus status, List<GroupStatus> groups, boolean members) {
        List<String> notes = groups.stream().map(g -> members ? note(status, g) : join(note(status, g), replicaNote(g)))
                .toList();
        boolean anyNote = notes.stream().anyMatch(n -> !n.isEmpty());
        List<String[]> groupRows = new ArrayList<>();
        groupRows.add(anyNote ? new String[] {"GROUP", "OWNER", "EPOCH", "PHASE", "NOTE"}
                : new String[] {"GROUP", "OWNER", "EPOCH", "PHASE"});
        List<String[]> nodeRows = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            GroupStatus g = groups.get(i);
            String[] row = {g.getName(), Names.orDash(g.getOwner()), Long.toString(g.getEpoch()), Names.phase(g),
                    notes.get(i)};
            groupRows.add(anyNote ? row : Arrays.copyOf(row, 4));
            for (NodeGroupStatus n : members ? g.getNodesList() : List.<NodeGroupStatus>of()) {
                nodeRows.add(nodeLine(g, n, down(status, n.getNode())));
            }
        }
        int[] groupWidths = TextTable.widths(groupRows);
        int[] nodeWidths = TextTable.widths(nodeRows);
        sb.append(TextTable.format(groupRows.get(0), groupWidths)).append('\n');
        int nodeRow = 0;
        for (int i = 0; i < groups.size(); i++) {
            sb.append(TextTable.format(groupRows.get(i + 1), groupWidths)).append('\n');
            for (int j = 0; members && j < groups.get(i).getNodesCount(); j++) {
                sb.append(NODE_INDENT).append(TextTable.format(nodeRows.get(nodeRow++), nodeWidths)).append('\n');
            }
        }
    }

    /**
     * "server2 replica Outdated, server3 replica Syncing 42% (1.2 GiB behind)": the replicas the summary
     * counts as not UpToDate, for a group's line when its members' lines, which show them, are left out.
     */
    private static String replicaNote(GroupStatus g) {
        return g.getReplicasList().stream().filter(StatusTable::notUpToDate)
                .map(r -> r.getNode() + " replica " + MirrorTable.state(r)).collect(Collectors.joining(", "));
    }

    private static String join(String note, String more) {
        return note.isEmpty() || more.isEmpty() ? note + more : note + "; " + more;
    }

    /** "MAINTENANCE", "HELD", "degraded", "moving to X" and "failed on A, B", joined by "; ". */
    public static String note(GroupStatus g) {
        List<String> notes = new ArrayList<>();
        if (g.getMaintenance()) {
            notes.add("MAINTENANCE");
        }
        if (g.getHeld()) {
            notes.add("HELD");
        }
        if (g.getDegraded()) {
            notes.add("degraded");
        }
        if (!g.getMoveTarget().isEmpty()) {
            notes.add("moving to " + g.getMoveTarget());
        }
        if (g.getFailedOnCount() > 0) {
            notes.add("failed on " + String.join(", ", g.getFailedOnList()));
        }
        return String.join("; ", notes);
    }

    /** {@link #note(GroupStatus)}, and why a mirrored group waits offline. */
    public static String note(ClusterStatus status, GroupStatus g) {
        String note = note(g);
        if (!waitsForUpToDateReplica(status, g)) {
            return note;
        }
        String waits = "waits for an UpToDate replica (see 'batonctl mirror status " + g.getName() + "')";
        return note.isEmpty() ? waits : note + "; " + waits;
    }

    /** A mirrored group with no owner, not stopped, whose every UpToDate replica is on a down node. */
    private static boolean waitsForUpToDateReplica(ClusterStatus status, GroupStatus g) {
        if (!g.getMirrored() || !g.getOwner().isEmpty() || g.getAdminStopped()
                || g.getReplicasList().stream().allMatch(r -> r.getState() == ReplicaStateProto.REPLICA_UNKNOWN)) {
            return false;
        }
        return g.getReplicasList().stream().noneMatch(r -> r.getState() == ReplicaStateProto.REPLICA_UP_TO_DATE
                && !down(status, r.getNode()));
    }

    /**
     * One line per thing to read about a group, below the table: its warnings, why it is held, and each
     * failure record (the nodes the cluster skips until the record expires or 'batonctl clear').
     */
    private static void appendGroupLines(StringBuilder sb, List<GroupStatus> groups) {
        List<String> lines = new ArrayList<>();
        for (GroupStatus g : groups) {
            g.getWarningsList().forEach(w -> lines.add("warning: " + g.getName() + ": " + w));
            if (g.getHeld()) {
                lines.add("held: " + g.getName() + ": " + g.getHoldReason() + " ('batonctl clear " + g.getName()
                        + "' or 'batonctl start " + g.getName() + "' to start it again)");
            }
            for (FailureRecord f : g.getFailuresList()) {
                lines.add("failure: " + g.getName() + ": " + f.getNode() + " "
                        + (f.getWallTimeMs() > 0 ? "at " + TIME.format(Instant.ofEpochMilli(f.getWallTimeMs())) : "at an unknown time")
                        + (f.getReason().isEmpty() ? "" : ": " + f.getReason().strip().replace('\n', ' ')));
            }
        }
        if (!lines.isEmpty()) {
            sb.append('\n');
            lines.forEach(line -> sb.append(line).append('\n'));
        }
    }

    private static boolean down(ClusterStatus status, String node) {
        return status.getNodesList().stream().anyMatch(n -> n.getId().equals(node) && !n.getAlive());
    }

    /**
     * node, activity (with the report's epoch if it is not the group's), resources, failure message.
     * A down node's line is its last report, said so: what it shows may no longer be true.
     */
    private static String[] nodeLine(GroupStatus g, NodeGroupStatus n, boolean down) {
        GroupReport r = n.getReport();
        String activity = (down ? "down, last seen " : "") + Names.activity(r.getActivity());
        if (r.getEpoch() != g.getEpoch() && r.getEpoch() != 0) {
            activity += " (epoch " + r.getEpoch() + ")";
        }
        for (ReplicaStatus replica : g.getReplicasList()) {
            if (replica.getNode().equals(n.getNode())) {
                activity += ", replica " + MirrorTable.state(replica);
            }
        }
        String resources = r.getResourcesList().stream().map(StatusTable::resource).collect(Collectors.joining(", "));
        if (!r.getMessage().isEmpty()) {
            resources = resources.isEmpty() ? "! " + r.getMessage() : resources + "  ! " + r.getMessage();
        }
        return new String[] {n.getNode(), activity, resources};
    }

    public static String resource(ResourceReport res) {
        String text = res.getName() + "=" + (res.getState().isEmpty() ? "unknown" : res.getState());
        text = res.getDetail().isEmpty() ? text : text + " (" + res.getDetail().strip().replace('\n', ' ') + ")";
        return res.hasMonitor() ? text + " [" + monitor(res.getMonitor()) + "]" : text;
    }

    /** "monitor healthy", "monitor failing: 1 check in a row, connection refused; 1 restart", ... */
    public static String monitor(MonitorReport m) {
        String verdict = m.getVerdict().isEmpty() ? "unknown" : m.getVerdict();
        StringBuilder b = new StringBuilder("monitor ").append(verdict);
        if ((verdict.equals("failing") || verdict.equals("failed")) && m.getConsecutiveFailures() > 0) {
            b.append(": ").append(m.getConsecutiveFailures()).append(m.getConsecutiveFailures() == 1 ? " check" : " checks")
                    .append(" in a row");
            if (!m.getLastError().isEmpty()) {
                b.append(", ").append(m.getLastError().strip().replace('\n', ' '));
            }
        }
        if (m.getRestarts() > 0) {
            b.append("; ").append(m.getRestarts()).append(m.getRestarts() == 1 ? " restart" : " restarts")
                    .append(" in its window");
        }
        return b.toString();
    }
}
