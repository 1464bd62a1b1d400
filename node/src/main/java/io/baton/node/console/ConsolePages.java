package io.baton.node.console;

import static io.baton.node.console.Html.escape;

import io.baton.node.cli.EventLine;
import io.baton.node.cli.MirrorTable;
import io.baton.node.cli.Names;
import io.baton.node.cli.StatusTable;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.ReplicaStateProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.NodeStatus;
import io.baton.proto.admin.RaftFollower;
import io.baton.proto.admin.ReplicaStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The console's HTML, rendered on the server from the same status {@code batonctl status} prints
 * and in the same words (StatusTable, MirrorTable, EventLine). Pure: a function of the status, the
 * events, the viewer and the time. Every value is escaped; the page has no inline script, so the
 * Content-Security-Policy can forbid any.
 *
 * <p>{@link #page} is the whole page; {@link #live} the part the page's script fetches again every
 * second and swaps in. The buttons carry what they act on in data attributes; the confirmation
 * step and the request are the script's (console.js).
 */
final class ConsolePages {
    private ConsolePages() {
    }

    /** The whole page: header, notice and confirmation areas, and the live part. */
    static String page(String clusterName, Viewer viewer, String live, boolean signOut) {
        String title = "Baton" + (clusterName.isEmpty() ? "" : " — " + clusterName);
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title>"
                + "<link rel=\"stylesheet\" href=\"/console/console.css\">"
                + "<script src=\"/console/console.js\" defer></script></head>\n<body>\n"
                + "<header><h1>" + escape(title) + "</h1><p id=\"who\">" + escape(viewer.describe())
                + " on node " + escape(viewer.node()) + "</p>"
                + (signOut ? "<button id=\"sign-out\" type=\"button\">Sign out</button>" : "") + "</header>\n"
                + "<div id=\"notice\" role=\"status\" aria-live=\"polite\"></div>\n"
                + "<div id=\"confirm\" role=\"dialog\" aria-labelledby=\"confirm-text\" hidden>"
                + "<p id=\"confirm-text\"></p>"
                + "<label id=\"confirm-choice-label\" hidden>node <select id=\"confirm-choice\"></select></label> "
                + "<button id=\"confirm-yes\" type=\"button\">Confirm</button> "
                + "<button id=\"confirm-no\" type=\"button\">Cancel</button></div>\n"
                + "<main id=\"live\">" + live + "</main>\n</body></html>\n";
    }

    /** What a visitor without a session sees: how to get one. */
    static String signIn(String node, String problem) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Baton — sign in</title>"
                + "<link rel=\"stylesheet\" href=\"/console/console.css\"></head>\n<body><header><h1>Baton</h1></header>\n"
                + "<main><h2>Sign in</h2>"
                + (problem.isEmpty() ? "" : "<p class=\"bad\">" + escape(problem) + "</p>")
                + "<p>The console of node " + escape(node) + " needs an operator's certificate. On a machine that has one,"
                + " run</p><pre>batonctl console</pre><p>and open the one-time link it prints within "
                + ConsoleSessions.LINK_TTL.toSeconds() + " s. The session lasts " + ConsoleSessions.SESSION_TTL.toHours()
                + " hours, on this node only, and has the certificate's role.</p></main></body></html>\n";
    }

    /** The live part: the cluster, every group, the recent events (newest first). */
    static String live(ClusterStatus status, List<Event> events, Viewer viewer, Instant now) {
        StringBuilder sb = new StringBuilder();
        cluster(sb, status, now);
        groups(sb, status, viewer);
        events(sb, events);
        return sb.toString();
    }

    /** The live part when there is no status to show. */
    static String unavailable(String why) {
        return "<section id=\"cluster\"><h2>Cluster</h2><p class=\"bad\">No status: " + escape(why) + "</p></section>";
    }

    private static void cluster(StringBuilder sb, ClusterStatus s, Instant now) {
        sb.append("<section id=\"cluster\"><h2>Cluster</h2><dl>");
        item(sb, "Leader", s.getLeader().isEmpty() ? "(none)" : s.getLeader(), "leader", false);
        String raft = StatusTable.raft(s.getRaft());
        item(sb, "Raft", raft, "raft", !s.getRaft().getKnown() || raft.startsWith("DEGRADED"));
        item(sb, "Answered by", Names.orDash(s.getAnsweredBy()), "answered-by", false);
        sb.append("</dl>");
        List<String> warnings = new ArrayList<>();
        if (!s.getWarning().isEmpty()) {
            warnings.add(s.getWarning());
        }
        warnings.addAll(StatusTable.certificateWarnings(s.getNodesList(), now));
        StatusTable.configMismatch(s).ifPresent(warnings::add);
        StatusTable.configBehind(s).ifPresent(warnings::add);
        if (!s.getMembershipMismatch().isEmpty()) {
            warnings.add(s.getMembershipMismatch());
        }
        for (String w : warnings) {
            sb.append("<p class=\"bad warning\">").append(escape(w)).append("</p>");
        }
        sb.append("<table id=\"nodes\"><thead><tr><th>Node</th><th>Role</th><th>Zone</th><th>State</th><th>Raft</th>"
                + "<th>Admin</th></tr></thead><tbody>");
        for (NodeStatus n : s.getNodesList()) {
            String raftRole = n.getRaftRole().isEmpty() ? "unknown" : n.getRaftRole();
            for (RaftFollower f : s.getRaft().getFollowersList()) {
                if (f.getNode().equals(n.getId()) && !f.getInContact()) {
                    raftRole += ", not in contact";
                }
            }
            sb.append("<tr data-node=\"").append(escape(n.getId())).append("\"><td>").append(escape(n.getId()))
                    .append("</td><td>").append(escape(Names.orDash(n.getRole())))
                    .append("</td><td>").append(escape(Names.orDash(n.getZone())))
                    .append("</td><td class=\"").append(n.getAlive() ? "ok" : "bad").append("\">")
                    .append(n.getAlive() ? "up" : "down").append(n.getStandby() ? ", standby" : "")
                    .append("</td><td>").append(escape(raftRole))
                    .append("</td><td>").append(escape(Names.orDash(n.getAdminAddress()))).append("</td></tr>");
        }
        sb.append("</tbody></table></section>");
    }

    private static void item(StringBuilder sb, String term, String value, String id, boolean bad) {
        sb.append("<dt>").append(term).append("</dt><dd id=\"").append(id).append('"')
                .append(bad ? " class=\"bad\"" : "").append('>').append(escape(value)).append("</dd>");
    }

    private static void groups(StringBuilder sb, ClusterStatus s, Viewer viewer) {
        sb.append("<section id=\"groups\"><h2>Groups</h2>");
        if (s.getGroupsCount() == 0) {
            sb.append("<p>(no groups)</p>");
        }
        for (GroupStatus g : s.getGroupsList()) {
            group(sb, s, g, viewer);
        }
        sb.append("</section>");
    }

    private static void group(StringBuilder sb, ClusterStatus s, GroupStatus g, Viewer viewer) {
        String phase = Names.phase(g);
        sb.append("<article class=\"group\" data-group=\"").append(escape(g.getName())).append("\" data-owner=\"")
                .append(escape(g.getOwner())).append("\" data-epoch=\"").append(g.getEpoch()).append("\" data-phase=\"")
                .append(escape(phase)).append("\">");
        sb.append("<h3>").append(escape(g.getName())).append(" <span class=\"phase ").append(escape(phase)).append("\">")
                .append(escape(phase)).append("</span></h3>");
        sb.append("<p>owner <b class=\"owner\">").append(escape(Names.orDash(g.getOwner()))).append("</b>, epoch <b class=\"epoch\">")
                .append(g.getEpoch()).append("</b>, ").append(g.getTakeovers()).append(" takeover")
                .append(g.getTakeovers() == 1 ? "" : "s").append(", ").append(g.getMoves()).append(" move")
                .append(g.getMoves() == 1 ? "" : "s").append("</p>");
        String note = StatusTable.note(s, g);
        if (!note.isEmpty()) {
            sb.append("<p class=\"note\">").append(escape(note)).append("</p>");
        }
        for (String w : g.getWarningsList()) {
            sb.append("<p class=\"bad\">").append(escape(w)).append("</p>");
        }
        if (g.getHeld()) {
            sb.append("<p class=\"bad\">held: ").append(escape(g.getHoldReason())).append("</p>");
        }
        members(sb, s, g);
        if (g.getMirrored()) {
            replicas(sb, g);
        }
        actions(sb, g, viewer);
        sb.append("</article>");
    }

    private static void members(StringBuilder sb, ClusterStatus s, GroupStatus g) {
        sb.append("<table class=\"members\"><thead><tr><th>Node</th><th>Activity</th><th>Resources</th></tr></thead><tbody>");
        for (NodeGroupStatus n : g.getNodesList()) {
            GroupReport r = n.getReport();
            boolean down = s.getNodesList().stream().anyMatch(x -> x.getId().equals(n.getNode()) && !x.getAlive());
            String activity = (down ? "down, last seen " : "") + Names.activity(r.getActivity());
            if (r.getEpoch() != g.getEpoch() && r.getEpoch() != 0) {
                activity += " (epoch " + r.getEpoch() + ")";
            }
            String resources = r.getResourcesList().stream().map(StatusTable::resource).collect(Collectors.joining(", "));
            if (!r.getMessage().isEmpty()) {
                resources = resources.isEmpty() ? "! " + r.getMessage() : resources + "  ! " + r.getMessage();
            }
            sb.append("<tr data-node=\"").append(escape(n.getNode())).append("\"")
                    .append(n.getNode().equals(g.getOwner()) ? " class=\"owner-row\"" : "").append("><td>")
                    .append(escape(n.getNode())).append("</td><td>").append(escape(activity)).append("</td><td>")
                    .append(escape(resources)).append("</td></tr>");
        }
        sb.append("</tbody></table>");
    }

    private static void replicas(StringBuilder sb, GroupStatus g) {
        sb.append("<table class=\"replicas\"><thead><tr><th>Replica</th><th>State</th><th>Sync</th></tr></thead><tbody>");
        for (ReplicaStatus r : g.getReplicasList()) {
            boolean syncing = r.hasPeer() && r.getPeer().getSyncing();
            boolean good = r.getState() == ReplicaStateProto.REPLICA_UP_TO_DATE && !syncing;
            sb.append("<tr data-node=\"").append(escape(r.getNode())).append("\"><td>").append(escape(r.getNode()))
                    .append(r.getNode().equals(g.getOwner()) ? " (owner)" : "").append("</td><td class=\"")
                    .append(good ? "ok" : "bad").append("\">").append(escape(MirrorTable.state(r))).append("</td><td>");
            int percent = syncing ? r.getPeer().getProgressPercent() : good ? 100 : 0;
            sb.append("<progress max=\"100\" value=\"").append(percent).append("\">").append(percent).append("%</progress>");
            sb.append("</td></tr>");
        }
        sb.append("</tbody></table>");
    }

    /** Move, start, stop and maintenance; disabled, with the reason, when the viewer's role does not allow them. */
    private static void actions(StringBuilder sb, GroupStatus g, Viewer viewer) {
        List<String> targets = g.getPreferenceList().stream().filter(n -> !n.equals(g.getOwner())).toList();
        sb.append("<div class=\"actions\">");
        button(sb, viewer, "Move", "move", g, "Move…", String.join(" ", targets));
        button(sb, viewer, "Start", "start", g, "Start…", String.join(" ", g.getPreferenceList()));
        button(sb, viewer, "Stop", "stop", g, "Stop…", "");
        button(sb, viewer, "Maintenance", g.getMaintenance() ? "maintenance-off" : "maintenance-on", g,
                g.getMaintenance() ? "End maintenance…" : "Maintenance…", "");
        sb.append("</div>");
    }

    private static void button(StringBuilder sb, Viewer viewer, String method, String action, GroupStatus g,
                               String label, String targets) {
        String refusal = viewer.refusal(method);
        sb.append("<button type=\"button\" data-action=\"").append(action).append("\" data-group=\"")
                .append(escape(g.getName())).append("\" data-owner=\"").append(escape(g.getOwner())).append('"');
        if (!targets.isEmpty()) {
            sb.append(" data-targets=\"").append(escape(targets)).append('"');
        }
        if (refusal != null) {
            sb.append(" disabled title=\"").append(escape(refusal)).append('"');
        }
        sb.append('>').append(label).append("</button> ");
    }

    private static void events(StringBuilder sb, List<Event> events) {
        sb.append("<section id=\"events\"><h2>Events</h2><ol reversed>");
        for (int i = events.size() - 1; i >= 0; i--) {
            Event e = events.get(i);
            sb.append("<li data-seq=\"").append(e.getSeq()).append("\" data-kind=\"").append(escape(e.getKind()))
                    .append("\">").append(escape(EventLine.format(e))).append("</li>");
        }
        sb.append("</ol></section>");
    }
}
