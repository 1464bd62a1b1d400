package io.baton.coordinator.core;

import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Decisions;
import java.util.ArrayList;
import java.util.List;

/**
 * How one controller round's decisions go into the log. Grants, revokes and liveness verdicts share
 * one entry ({@link Decisions}): after a node fails, its 200 groups are taken over by one entry, one
 * commit, not 200. Each is still validated on its own when applied. A failback move stays an entry of
 * its own (it is validated as an operator's move is). Pure.
 */
public final class ControllerRound {
    private ControllerRound() {
    }

    /** The log entries to propose for {@code decisions}, in order. */
    public static List<Command> entries(List<Command> decisions) {
        List<Command> shared = new ArrayList<>();
        List<Command> out = new ArrayList<>();
        for (Command d : decisions) {
            if (sharesEntry(d)) {
                shared.add(d);
            } else {
                out.add(d);
            }
        }
        if (shared.size() == 1) {
            out.add(0, shared.get(0));
        } else if (shared.size() > 1) {
            out.add(0, Command.newBuilder().setDecisions(Decisions.newBuilder().addAllCommands(shared)).build());
        }
        return out;
    }

    /**
     * Whether {@code decision} may go in a shared {@link Decisions} entry: the one rule for what the
     * controller batches and what the core accepts inside such an entry.
     */
    public static boolean sharesEntry(Command decision) {
        return decision.hasGrant() || decision.hasRevoke() || decision.hasLiveness();
    }

    /** The decisions an entry of {@link #entries} carries. */
    public static List<Command> decisionsOf(Command entry) {
        return entry.hasDecisions() ? entry.getDecisions().getCommandsList() : List.of(entry);
    }

    /** The results of an entry's decisions, in the order of {@link #decisionsOf}. */
    public static List<CommandResult> resultsOf(Command entry, CommandResult result) {
        return entry.hasDecisions() ? result.getResultsList() : List.of(result);
    }

    /**
     * What a decision is about (a group or a node): the controller keeps one decision per subject in
     * flight.
     */
    public static String subject(Command decision) {
        return switch (decision.getKindCase()) {
            case GRANT -> "group:" + decision.getGrant().getGroup();
            case REVOKE -> "group:" + decision.getRevoke().getGroup();
            case MOVE -> "group:" + decision.getMove().getGroup();
            case LIVENESS -> "node:" + decision.getLiveness().getNode();
            default -> decision.getKindCase().name();
        };
    }
}
