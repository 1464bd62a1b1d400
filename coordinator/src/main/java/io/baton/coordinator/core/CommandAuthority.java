package io.baton.coordinator.core;

import io.baton.proto.Caller;
import io.baton.proto.Command;
import java.util.Map;

/**
 * Who may propose which command, checked when a command is applied, on every replica alike: a pure
 * function of the command, the state and whether the cluster authenticates its operators (TLS).
 *
 * <ul>
 *   <li>A controller decision ({@code Grant}, {@code Revoke}, {@code NodeLiveness}, a failback
 *       {@code MoveGroup}) stands only if its proposer is the leader that appended it.</li>
 *   <li>A node speaks only for itself: a {@code Heartbeat}, {@code Incarnate} or {@code ReplicaUpdate}
 *       names its proposer.</li>
 *   <li>An operator's command carries its caller (the admin API's client certificate), whose role
 *       must allow it; with TLS one without a caller is refused, except a node handing over a group it
 *       owns before it stops.</li>
 * </ul>
 *
 * <p>The proposer is authenticated by the Raft port (a client request must name the node of its
 * certificate) and {@code appended_by} is written by the leader itself, so a member holding its own
 * certificate cannot forge a grant, another node's heartbeat or an operator's command without a caller.
 * A caller is as trustworthy as the member that relays it: members are trusted to relay the admin
 * API's callers faithfully. Entries without {@code appended_by} come from a Baton that did not check
 * proposers and are applied as they were then.
 */
public final class CommandAuthority {
    /** The words every refusal starts with; scripts and tests outside the project look for them. */
    public static final String DENIED = "permission denied";

    /** The words of a refusal of a leader's decision proposed by another node. */
    public static final String LEADERS_DECISION = "is the leader's decision";

    /** The least role an operator's command needs, and its verb in a refusal. */
    private record Need(String verb, int rank) {}

    private static final int VIEWER = 1;
    private static final int OPERATOR = 2;
    private static final int ADMIN = 3;

    private static final Map<Command.KindCase, Need> OPERATOR_COMMANDS = Map.of(
            Command.KindCase.MOVE, new Need("move", OPERATOR),
            Command.KindCase.START, new Need("start", OPERATOR),
            Command.KindCase.STOP, new Need("stop", OPERATOR),
            Command.KindCase.SET_MAINTENANCE, new Need("set maintenance", OPERATOR),
            Command.KindCase.NODE_STANDBY, new Need("set a node standby or online", OPERATOR),
            Command.KindCase.CLEAR_FAILURES, new Need("clear", OPERATOR),
            Command.KindCase.FORCE_ACTIVATE, new Need("force-activate", ADMIN),
            Command.KindCase.SET_MEMBERSHIP, new Need("change the cluster's membership", ADMIN),
            Command.KindCase.APPLY_CONFIG, new Need("apply a cluster configuration", ADMIN));

    private CommandAuthority() {
    }

    /** The rank of a role's name: viewer 1, operator 2, admin 3, anything else 0 (no rights). */
    static int rank(String role) {
        return switch (role) {
            case "viewer" -> VIEWER;
            case "operator" -> OPERATOR;
            case "admin" -> ADMIN;
            default -> 0;
        };
    }

    /** The role an operator's command of this kind needs ("operator" or "admin"); null for any other kind. */
    public static String roleNeeded(Command.KindCase kind) {
        Need need = OPERATOR_COMMANDS.get(kind);
        return need == null ? null : need.rank() == ADMIN ? "admin" : "operator";
    }

    /**
     * Null when {@code cmd} may be applied; else the one-line refusal, starting with {@link #DENIED}.
     *
     * @param callersRequired the cluster authenticates operators (TLS): an operator's command must carry a caller
     */
    public static String problem(Command cmd, ClusterState state, Topology topology, boolean callersRequired) {
        String leader = cmd.getAppendedBy();
        if (leader.isEmpty()) {
            return null; // written before proposers were checked (see the class comment)
        }
        String proposer = cmd.getProposer();
        if (proposer.isEmpty()) {
            return DENIED + ": a command without its proposer";
        }
        if (topology.node(proposer).isEmpty()) {
            return DENIED + ": proposed by '" + proposer + "', which is not a node of this cluster";
        }
        switch (cmd.getKindCase()) {
            case GRANT:
                return leaderOnly("a grant", proposer, leader);
            case REVOKE:
                return leaderOnly("a revoke", proposer, leader);
            case LIVENESS:
                return leaderOnly("a liveness change", proposer, leader);
            case ALERTS_DELIVERED:
                return leaderOnly("the alert cursor", proposer, leader);
            case SET_PROTOCOL:
                return leaderOnly("a protocol version change", proposer, leader);
            case HEARTBEAT:
                return selfOnly("a heartbeat", cmd.getHeartbeat().getNode(), proposer);
            case INCARNATE:
                return selfOnly("an incarnation", cmd.getIncarnate().getNode(), proposer);
            case REPLICA_UPDATE:
                return selfOnly("a replica update", cmd.getReplicaUpdate().getProposer(), proposer);
            case MOVE:
                if (cmd.getMove().getFailbackEpoch() > 0) {
                    return leaderOnly("a failback", proposer, leader);
                }
                if (!hasCaller(cmd) && ownerHandingOver(cmd, state, proposer)) {
                    return null;
                }
                return operatorCommand(cmd, proposer, callersRequired);
            default:
                return OPERATOR_COMMANDS.containsKey(cmd.getKindCase())
                        ? operatorCommand(cmd, proposer, callersRequired) : null;
        }
    }

    private static String leaderOnly(String what, String proposer, String leader) {
        return proposer.equals(leader) ? null
                : DENIED + ": " + what + " " + LEADERS_DECISION + "; proposed by " + proposer + " while " + leader + " led";
    }

    private static String selfOnly(String what, String named, String proposer) {
        return named.equals(proposer) ? null
                : DENIED + ": " + what + " in the name of '" + named + "' proposed by " + proposer;
    }

    private static boolean hasCaller(Command cmd) {
        return cmd.hasCaller() && !cmd.getCaller().getName().isEmpty();
    }

    /** A node moving a group it owns, without a caller: the hand-over of a node that is stopping. */
    private static boolean ownerHandingOver(Command cmd, ClusterState state, String proposer) {
        return state.group(cmd.getMove().getGroup()).map(g -> proposer.equals(g.owner())).orElse(false);
    }

    private static String operatorCommand(Command cmd, String proposer, boolean callersRequired) {
        Need need = OPERATOR_COMMANDS.get(cmd.getKindCase());
        if (!hasCaller(cmd)) {
            return callersRequired
                    ? DENIED + ": " + proposer + " may not " + need.verb() + " on its own; an operator must ask"
                            + " through the admin API"
                    : null;
        }
        Caller caller = cmd.getCaller();
        return rank(caller.getRole()) >= need.rank() ? null
                : DENIED + ": " + caller.getName() + " (" + caller.getRole() + ") may not " + need.verb();
    }
}
