package io.baton.resources.mirror.datapath;

import java.io.File;
import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process that keeps this process's mount namespace alive until this process has ended,
 * so that a daemon killed with SIGKILL always ends.
 *
 * <p>Why: when the last process of a mount namespace exits, the kernel unmounts the namespace's
 * filesystems before it closes that process's files (both are deferred to the end of its exit,
 * the later-queued first). Unmounting the mirror disk's ext4 flushes it through the loop device
 * to the FUSE file, which only this process serves, over a {@code /dev/fuse} descriptor that is
 * closed only after the flush: the process stays in state D forever. That happens whenever this
 * daemon runs in a mount namespace of its own (a container, a systemd unit with private mounts,
 * {@code ip netns exec}) and no application process outlives it there. With this child in the
 * namespace, the kernel closes our descriptors first (which aborts the FUSE connection: the flush
 * fails at once instead of waiting), and the child, seeing its standard input end, exits after.
 * In the host's namespace it changes nothing. One per process, started before the first FUSE mount.
 */
final class MountNamespaceHolder {

    private static final Logger log = LoggerFactory.getLogger(MountNamespaceHolder.class);

    private static Process holder;

    private MountNamespaceHolder() {}

    /** Starts the holder unless it runs. */
    static synchronized void ensureRunning() throws DataPathException {
        if (holder != null && holder.isAlive()) {
            return;
        }
        try {
            // Reads its standard input, a pipe only this process writes to (never), until the pipe's
            // end: when this process has closed its files, exiting or killed.
            holder = new ProcessBuilder("/bin/sh", "-c", "exec cat > /dev/null")
                    .directory(new File("/"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new DataPathException("cannot start the holder of this process's mount namespace (/bin/sh): "
                    + e.getMessage(), e);
        }
        log.debug("mount namespace held by pid {} until this process ends", holder.pid());
    }
}
