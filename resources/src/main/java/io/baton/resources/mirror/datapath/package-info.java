/**
 * The mirror disk's data path on its owner: a {@link io.baton.resources.mirror.datapath.BlockStore} served
 * by this process as one FUSE file, a loop device on that file, and the filesystem on the loop
 * device mounted where the application expects it. {@link io.baton.resources.mirror.datapath.DataPath}
 * is the entry point; the rest are its steps.
 *
 * <p>Teardown order is always: unmount the filesystem, detach the loop device, unmount FUSE. A
 * FUSE file that stops being served under a mounted filesystem turns into EIO for the
 * application (ext4 goes read-only); {@link io.baton.resources.mirror.datapath.DataPath#cleanupLeftovers}
 * removes what a killed daemon left. Design notes: {@code MIRROR.md}.
 */
package io.baton.resources.mirror.datapath;
