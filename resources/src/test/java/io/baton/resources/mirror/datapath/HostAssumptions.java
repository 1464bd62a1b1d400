package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Data path tests need root, FUSE, loop devices and ext4 tools; elsewhere they are skipped, saying why. */
final class HostAssumptions {

    private HostAssumptions() {}

    static void assumeDataPathAvailable() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0, "mirror data path tests need root (losetup, mount); running as uid " + uid);
        try {
            Prerequisites.check("ext4");
        } catch (DataPathException e) {
            assumeTrue(false, "mirror data path tests skipped: " + e.getMessage());
        }
    }
}
