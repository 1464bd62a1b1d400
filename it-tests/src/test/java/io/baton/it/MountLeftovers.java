package io.baton.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Removes what killed nodes leave behind under a test directory: filesystems mounted from loop
 * devices, the loop devices, and FUSE mounts whose daemon died. Best effort; for test teardown.
 */
final class MountLeftovers {
    private MountLeftovers() {}

    static void clear(Path dir) {
        String prefix = dir.toAbsolutePath().toString();
        List<String> mounts = new ArrayList<>();
        List<String> loops = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                String mountPoint = f[4].replace("\\040", " ");
                if (mountPoint.startsWith(prefix)) {
                    mounts.add(mountPoint);
                    // After " - ": fstype, then the source, such as /dev/loop3.
                    int dash = java.util.Arrays.asList(f).indexOf("-");
                    if (dash > 0 && dash + 2 < f.length && f[dash + 2].startsWith("/dev/loop")) {
                        loops.add(f[dash + 2]);
                    }
                }
            }
        } catch (IOException e) {
            return;
        }
        // Read before unmounting: once the FUSE directory is gone, losetup shows the file as "/disk".
        for (String line : output("losetup", "-a").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.contains(prefix)) {
                loops.add(line.substring(0, colon));
            }
        }
        // Deepest first: a filesystem mounted inside another must go before it.
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String m : mounts) {
            run("umount", "-l", m);
        }
        for (String loop : loops) {
            run("losetup", "-d", loop);
        }
    }

    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
