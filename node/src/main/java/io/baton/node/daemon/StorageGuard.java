package io.baton.node.daemon;

import io.baton.coordinator.ratis.StorageFailure;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What a node does when its storage fails (a Raft log, metadata or snapshot write, or the data
 * directory's write probe): the same as a crash, so that the rest of the cluster recovers as from
 * one. Probe ports close and resources stop ({@code fence}), one line says why, and the process
 * exits with {@link #EXIT_STATUS} for systemd to restart it (once the disk is fixed it comes back
 * as a follower). Only the first failure acts; the work runs on a thread of its own, never on the
 * Ratis thread that reported it.
 */
final class StorageGuard implements Consumer<StorageFailure> {
    /** EX_IOERR of sysexits.h: an input/output error. */
    static final int EXIT_STATUS = 74;

    private final Runnable fence;
    private final Consumer<String> say;
    private final IntConsumer exit;
    private final AtomicBoolean acted = new AtomicBoolean();
    /** Set by a clean stop: what Ratis reports while it closes is not a failed disk. */
    private volatile boolean disarmed;

    /**
     * @param fence closes the probe ports first, then stops every resource
     * @param say   writes the one line (the log)
     * @param exit  ends the process with the given status
     */
    StorageGuard(Runnable fence, Consumer<String> say, IntConsumer exit) {
        this.fence = fence;
        this.say = say;
        this.exit = exit;
    }

    /** The line an operator reads: path, reason with errno name, and what happens. */
    static String line(StorageFailure f) {
        return "baton-node: " + f.line() + ": stopping this node (exit status " + EXIT_STATUS
                + "; it rejoins as a follower once restarted on a writable data directory)";
    }

    /** Whether a failure was reported (and the node is stopping or stopped because of it). */
    boolean acted() {
        return acted.get();
    }

    /** From now on failures are ignored: the node is stopping cleanly. */
    void disarm() {
        disarmed = true;
    }

    @Override
    public void accept(StorageFailure failure) {
        if (disarmed || !acted.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> act(failure), "baton-storage-failure");
        t.setDaemon(false);
        t.start();
    }

    /** Fence, say, exit: in that order, and exit even if fencing threw. */
    void act(StorageFailure failure) {
        try {
            fence.run();
        } catch (RuntimeException e) {
            say.accept("baton-node: fencing after a storage failure: " + e);
        } finally {
            say.accept(line(failure));
            exit.accept(EXIT_STATUS);
        }
    }
}
