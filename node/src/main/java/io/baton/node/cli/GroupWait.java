package io.baton.node.cli;

import io.baton.proto.ActivityProto;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.node.cli.Waiter.Outcome;
import io.baton.node.cli.Waiter.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** {@code --wait} of move, start and stop: the conditions (pure) and the polling loop. */
final class GroupWait {
    static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /** One poll: the status, or why it could not be read (no endpoint answered: keep waiting). */
    record Poll(ClusterStatus status, String error) {
    }

    private GroupWait() {
    }

    /** Online, and on {@code node} unless it is null. */
    static Verdict online(Poll poll, String group, String node) {
        return judge(poll, group, g -> g.getPhase() == PhaseProto.PHASE_ONLINE
                        && (node == null || node.equals(g.getOwner())),
                g -> group + " is online on " + g.getOwner() + " (epoch " + g.getEpoch() + ")");
    }

    /** Offline with no owner. */
    static Verdict stopped(Poll poll, String group) {
        return judge(poll, group, g -> g.getPhase() == PhaseProto.PHASE_OFFLINE && g.getOwner().isEmpty(),
                g -> group + " is stopped");
    }

    /** Waiting while status cannot be read; failed for an unknown or failed group; done once {@code goal} holds. */
    private static Verdict judge(Poll poll, String group, java.util.function.Predicate<GroupStatus> goal,
            Function<GroupStatus, String> doneText) {
        if (poll.error() != null) {
            return Verdict.waiting("status unavailable: " + poll.error());
        }
        Optional<GroupStatus> found = find(poll.status(), group);
        if (found.isEmpty()) {
            return Verdict.failed("unknown group '" + group + "'");
        }
        GroupStatus g = found.get();
        if (g.getPhase() == PhaseProto.PHASE_FAILED) {
            return Verdict.failed(failure(g));
        }
        return goal.test(g) ? Verdict.done(doneText.apply(g)) : Verdict.waiting(now(g));
    }

    /**
     * Polls until the judge is satisfied. Prints the done line (or, with --output json, the group as JSON) and
     * returns 0; throws CtlException with a one-line reason on failure or timeout.
     */
    static int await(BatonCtl ctl, AdminConnection conn, WaitOptions options, String group, String goal,
            Function<Poll, Verdict> judge, Waiter waiter) {
        Outcome<Poll> outcome;
        try {
            outcome = waiter.await(() -> poll(conn), judge, options.waitTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted while waiting for " + goal);
        }
        Verdict verdict = outcome.verdict();
        switch (verdict.kind()) {
            case DONE -> {
                if (ctl.output() == OutputFormat.json) {
                    ctl.out().println(Json.compact(find(outcome.last().status(), group).orElseThrow()));
                } else {
                    ctl.out().println(verdict.text() + " after " + seconds(outcome.elapsedNanos()));
                }
                return 0;
            }
            case FAILED -> throw new CtlException(verdict.text());
            default -> throw new CtlException("timed out after " + DurationConverter.format(options.waitTimeout)
                    + " waiting for " + goal + " (now: " + verdict.text() + ")");
        }
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static Poll poll(AdminConnection conn) {
        try {
            return new Poll(conn.status(), null);
        } catch (CtlException e) {
            if (e.retryable()) {
                return new Poll(null, e.getMessage());
            }
            throw e;
        }
    }

    static Optional<GroupStatus> find(ClusterStatus status, String group) {
        return status.getGroupsList().stream().filter(g -> g.getName().equals(group)).findFirst();
    }

    /** e.g. "starting on server2, epoch 7, moving to server3". */
    private static String now(GroupStatus g) {
        StringBuilder sb = new StringBuilder(Names.phase(g));
        if (!g.getOwner().isEmpty()) {
            sb.append(" on ").append(g.getOwner());
        }
        sb.append(", epoch ").append(g.getEpoch());
        if (!g.getMoveTarget().isEmpty()) {
            sb.append(", moving to ").append(g.getMoveTarget());
        }
        return sb.toString();
    }

    /** e.g. "web failed on server1, server2: mount /data: exit 32". */
    static String failure(GroupStatus g) {
        StringBuilder sb = new StringBuilder(g.getName()).append(" failed");
        if (g.getFailedOnCount() > 0) {
            sb.append(" on ").append(String.join(", ", g.getFailedOnList()));
        }
        List<String> reasons = new ArrayList<>();
        for (NodeGroupStatus n : g.getNodesList()) {
            String message = n.getReport().getMessage().strip();
            if (n.getReport().getActivity() == ActivityProto.ACTIVITY_FAILED && !message.isEmpty()) {
                reasons.add(n.getNode() + ": " + message.replace('\n', ' '));
            }
        }
        if (!reasons.isEmpty()) {
            sb.append(" (").append(String.join("; ", reasons)).append(')');
        }
        return sb.toString();
    }
}
