package io.baton.coordinator.core;

import io.baton.proto.Command;
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
            if (d.hasGrant() || d.hasRevoke() || d.hasLiveness()) {
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

    /** The decisions an entry of {@link #entries} carries. */
    public static List<Command> decisionsOf(Command entry) {
        return entry.hasDecisions() ? entry.getDecisions().getCommandsList() : List.of(entry);
    }
}
