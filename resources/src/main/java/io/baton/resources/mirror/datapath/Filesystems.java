package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The filesystem on the mirror disk's loop device: detect, create, mount, unmount. */
public final class Filesystems {

    private static final Logger log = LoggerFactory.getLogger(Filesystems.class);

    /** How long a busy filesystem gets to be released before it is detached lazily. */
    static final Duration UNMOUNT_WAIT = Duration.ofSeconds(5);

    private Filesystems() {}

    /**
     * Whether {@code device} holds a filesystem (or anything else blkid recognises, such as a
     * partition table or RAID member): only a device with nothing on it may be formatted.
     */
    public static boolean hasFilesystem(Path device) throws IOException {
        HostCommand.Result r = HostCommand.run("blkid", "-p", device.toString());
        return switch (r.exitCode()) {
            case 0 -> true;
            case 2 -> false; // nothing identified
            case 8 -> true; // ambivalent: several signatures; certainly not empty
            default -> throw new DataPathException("cannot probe " + device + " for a filesystem: " + r.describeFailure());
        };
    }

    /** Creates a filesystem of type {@code fstype} (ext4 or xfs) on {@code device}, overwriting it. */
    public static void mkfs(Path device, String fstype) throws IOException {
        String[] argv = switch (fstype) {
            case "ext4" -> new String[] {"mkfs.ext4", "-q", "-F", device.toString()};
            case "xfs" -> new String[] {"mkfs.xfs", "-q", "-f", device.toString()};
            default -> throw new DataPathException("filesystem type '" + fstype + "' is not supported on a mirror disk (ext4 or xfs)");
        };
        Prerequisites.checkMkfs(fstype);
        HostCommand.Result r = HostCommand.run(Duration.ofMinutes(10), java.util.List.of(argv));
        if (!r.ok()) {
            throw new DataPathException("cannot create an " + fstype + " filesystem on " + device + ": " + r.describeFailure());
        }
    }

    /** Mounts {@code device} at {@code mountPoint}, after {@link #checkMountPoint}. */
    public static void mount(Path device, Path mountPoint, String fstype) throws IOException {
        checkMountPoint(mountPoint, "mount point");
        HostCommand.Result r = HostCommand.run("mount", "-t", fstype, device.toString(), mountPoint.toString());
        if (!r.ok()) {
            throw new DataPathException("cannot mount " + device + " (" + fstype + ") at " + mountPoint + ": " + r.describeFailure());
        }
    }

    /**
     * Unmounts {@code mountPoint} if it is mounted. A busy filesystem is retried for
     * {@link #UNMOUNT_WAIT}, then detached lazily (it disappears from the namespace; the kernel
     * finishes once the last user goes), with a warning: the caller's next steps may then find
     * the loop device still in use.
     */
    public static void unmount(Path mountPoint) throws IOException {
        long deadline = System.nanoTime() + UNMOUNT_WAIT.toNanos();
        HostCommand.Result last = null;
        while (MountTable.isMountPoint(mountPoint)) {
            last = HostCommand.run("umount", mountPoint.toString());
            if (last.ok()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                log.warn("{} stayed busy for {} s ({}); detaching it lazily", mountPoint, UNMOUNT_WAIT.toSeconds(), last.describeFailure());
                HostCommand.Result lazy = HostCommand.run("umount", "-l", mountPoint.toString());
                if (!lazy.ok() && MountTable.isMountPoint(mountPoint)) {
                    throw new DataPathException("cannot unmount " + mountPoint + ": " + lazy.describeFailure());
                }
                return;
            }
            sleepBriefly();
        }
    }

    /**
     * Checks that {@code path} can be mounted on: it exists, is a directory and nothing is mounted
     * there yet. {@code what} names it in the message ("mount point", "FUSE directory").
     */
    public static void checkMountPoint(Path path, String what) throws IOException {
        if (!Files.exists(path)) {
            throw new DataPathException(what + " " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new DataPathException(what + " " + path + " is not a directory");
        }
        MountTable.Entry mounted = MountTable.find(path);
        if (mounted != null) {
            throw new DataPathException(what + " " + path + " is already a mount point (" + mounted.source()
                    + ", " + mounted.fstype() + ")");
        }
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataPathException("interrupted while unmounting");
        }
    }
}
