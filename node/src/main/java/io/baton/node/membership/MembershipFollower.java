package io.baton.node.membership;

import io.baton.coordinator.ratis.StateListener;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.MembershipProto;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each new membership this node's replica applies to what depends on it here (the mirror
 * disks: a replica to open, a peer to reconnect to). Told of every SetMembership applied, and
 * checks once a second besides: a membership that arrives in a snapshot is applied without an entry.
 * Work runs on its own thread, never on Ratis's.
 */
public final class MembershipFollower implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MembershipFollower.class);

    /** What to do with a new membership; a failure is logged and tried again at the next check. */
    @FunctionalInterface
    public interface Target {
        void follow(MembershipProto membership) throws Exception;
    }

    private final Supplier<Optional<MembershipProto>> replicated;
    private final Target target;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "baton-membership-follower");
        t.setDaemon(true);
        return t;
    });
    /** The version last handed over without an error (0: the cluster file's, handed over at start). */
    private long followed;
    private String lastError;

    public MembershipFollower(Supplier<Optional<MembershipProto>> replicated, Target target) {
        this.replicated = replicated;
        this.target = target;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        if (command.hasSetMembership()) {
            try {
                thread.execute(this::check);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void check() {
        Optional<MembershipProto> m = replicated.get();
        if (m.isEmpty() || m.get().getVersion() == followed) {
            return;
        }
        try {
            target.follow(m.get());
            followed = m.get().getVersion();
            lastError = null;
            log.info("following membership version {}", followed);
        } catch (Exception e) {
            String why = e.getMessage();
            if (!why.equals(lastError)) {
                log.warn("cannot follow membership version {} yet: {}", m.get().getVersion(), why);
            }
            lastError = why;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
