package io.baton.resources.mirror.datapath;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the owner's data path needs from the host, checked up front so that an operator reads
 * "install the Debian package 'mount'" rather than a stack trace from the middle of a start. FUSE
 * is spoken to the kernel directly (no libfuse, no fusermount): /dev/fuse is all it needs.
 */
public final class Prerequisites {

    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Prerequisites() {}

    /** Checks FUSE, loop devices and the tools for {@code fstype}; every problem in one message. */
    public static void check(String fstype) throws DataPathException {
        List<String> problems = new ArrayList<>();
        if (!Files.exists(Path.of("/dev/fuse"))) {
            problems.add("/dev/fuse is missing: load the fuse kernel module (modprobe fuse)");
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            problems.add("/dev/loop-control is missing: load the loop kernel module (modprobe loop)");
        }
        // Debian splits util-linux: losetup, mount and umount are in the package 'mount'.
        for (String tool : List.of("losetup", "mount", "umount")) {
            if (!onPath(tool)) {
                problems.add(tool + " is missing: install the Debian package 'mount' (util-linux)");
            }
        }
        if (!onPath("blkid")) {
            problems.add("blkid is missing: install the Debian package 'util-linux'");
        }
        String mkfs = mkfsProblem(fstype);
        if (mkfs != null) {
            problems.add(mkfs);
        }
        if (!problems.isEmpty()) {
            throw new DataPathException("the mirror disk cannot run on this host: " + String.join("; ", problems));
        }
    }

    /** Checks only the mkfs tool for {@code fstype}. */
    static void checkMkfs(String fstype) throws DataPathException {
        String problem = mkfsProblem(fstype);
        if (problem != null) {
            throw new DataPathException(problem);
        }
    }

    private static String mkfsProblem(String fstype) {
        String pkg = switch (fstype) {
            case "ext4" -> "e2fsprogs";
            case "xfs" -> "xfsprogs";
            default -> null;
        };
        if (pkg == null) {
            return "filesystem type '" + fstype + "' is not supported on a mirror disk (ext4 or xfs)";
        }
        return onPath("mkfs." + fstype) ? null : "mkfs." + fstype + " is missing: install the Debian package '" + pkg + "'";
    }

    static boolean onPath(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(EXTRA_DIRS); // daemons may start with a PATH lacking sbin
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }
}
