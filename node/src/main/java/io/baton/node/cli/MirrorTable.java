package io.baton.node.cli;

import io.baton.proto.MirrorPeerReport;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.ReplicaStatus;
import java.util.List;

/** Renders the replicas of mirrored groups as the text of {@code batonctl mirror status}. Pure. */
public final class MirrorTable {
    private MirrorTable() {
    }

    /**
     * The mirrored groups of {@code status}, or only {@code group} when it is not null; a group that
     * does not exist or has no mirror disk is the caller's mistake, said in one line.
     */
    static List<GroupStatus> select(ClusterStatus status, String group) {
        List<GroupStatus> mirrored = status.getGroupsList().stream().filter(GroupStatus::getMirrored).toList();
        if (group == null) {
            return mirrored;
        }
        GroupStatus g = status.getGroupsList().stream().filter(x -> x.getName().equals(group)).findFirst()
                .orElseThrow(() -> new CtlException("unknown group '" + group + "'; groups: " + String.join(", ",
                        status.getGroupsList().stream().map(GroupStatus::getName).toList())));
        if (!g.getMirrored()) {
            throw new CtlException("group '" + group + "' has no mirror disk; mirrored groups: "
                    + (mirrored.isEmpty() ? "(none)" : String.join(", ", mirrored.stream().map(GroupStatus::getName).toList())));
        }
        return List.of(g);
    }

    static String render(ClusterStatus status, List<GroupStatus> groups) {
        StringBuilder sb = new StringBuilder();
        if (!status.getWarning().isEmpty()) {
            sb.append("Warning: ").append(status.getWarning()).append("\n\n");
        }
        if (groups.isEmpty()) {
            return sb.append("(no mirrored groups)\n").toString();
        }
        TextTable table = new TextTable("GROUP", "NODE", "STATE", "CONNECTED");
        for (GroupStatus g : groups) {
            for (ReplicaStatus r : g.getReplicasList()) {
                table.row(g.getName(), r.getNode(), state(r), connected(g, r));
            }
        }
        table.appendTo(sb, "");
        return sb.toString();
    }

    /** UpToDate, Outdated, Inconsistent, or "Syncing 42% (1.2 GiB behind)" while the owner resyncs it. */
    public static String state(ReplicaStatus r) {
        if (r.hasPeer() && r.getPeer().getSyncing()) {
            MirrorPeerReport p = r.getPeer();
            return "Syncing " + p.getProgressPercent() + "% (" + Bytes.format(p.getBytesBehind()) + " behind)";
        }
        return name(r.getState());
    }

    static String name(ReplicaStateProto state) {
        return switch (state) {
            case REPLICA_UP_TO_DATE -> "UpToDate";
            case REPLICA_OUTDATED -> "Outdated";
            case REPLICA_INCONSISTENT -> "Inconsistent";
            case REPLICA_UNKNOWN -> "none (new disk)";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /**
     * "owner" for the source; yes/no as the owner's mirror disk reports the link, "no" followed by
     * why when it knows (peer down, or refused: another resource or size); "-" when nothing is reported.
     */
    private static String connected(GroupStatus g, ReplicaStatus r) {
        if (r.getNode().equals(g.getOwner())) {
            return "owner";
        }
        if (!r.hasPeer()) {
            return "-";
        }
        if (r.getPeer().getConnected()) {
            return "yes";
        }
        String why = r.getPeer().getDetail();
        return why.isEmpty() ? "no" : "no: " + why;
    }
}
