package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's uid and gid, read from the owner of /proc/self (0 if that cannot be read). */
final class ProcessIds {

    private ProcessIds() {}

    static int uid() {
        return attribute("unix:uid");
    }

    static int gid() {
        return attribute("unix:gid");
    }

    private static int attribute(String name) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), name);
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }
}
