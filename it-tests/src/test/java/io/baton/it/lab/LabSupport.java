package io.baton.it.lab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Whether this machine can run the lab, and where its programs are. */
final class LabSupport {
    private static volatile String unavailable;
    private static volatile boolean checked;

    private LabSupport() {}

    /** Skips the calling test (JUnit assumption) with the reason when the lab cannot run here. */
    static void assumeLab() {
        String why = whyUnavailable();
        assumeTrue(why == null, () -> "fault lab skipped: " + why);
    }

    static synchronized String whyUnavailable() {
        if (checked) {
            return unavailable;
        }
        checked = true;
        unavailable = check();
        if (unavailable != null) {
            System.out.println("fault lab skipped: " + unavailable);
        }
        return unavailable;
    }

    private static String check() {
        if (Boolean.getBoolean("lab.skip")) {
            return "-Dlab.skip=true";
        }
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "needs Linux (network namespaces)";
        }
        Sh.Result id = Sh.run("id", "-u");
        if (!id.ok() || !id.out().trim().equals("0")) {
            return "needs root to create network namespaces (running as uid " + id.out().trim() + ")";
        }
        List<String> missing = new ArrayList<>();
        for (String b : List.of("ip", "haproxy", "nginx", "ss", "bash", "ps", "timeout", "kill")) {
            if (find(b).isEmpty()) {
                missing.add(b);
            }
        }
        if (!missing.isEmpty()) {
            return "missing programs: " + String.join(", ", missing)
                    + " (Debian: apt-get install iproute2 haproxy nginx-light procps coreutils)";
        }
        String probe = Lab.PREFIX + ProcessHandle.current().pid() + "-probe";
        Sh.Result add = Sh.run("ip", "netns", "add", probe);
        Sh.run("ip", "netns", "del", probe);
        if (!add.ok()) {
            return "'ip netns add' does not work here: " + add.out().trim();
        }
        String home = System.getProperty("baton.home");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "batonctl"))) {
            return "system property baton.home does not point at the repository (bin/batonctl)";
        }
        boolean jar;
        try (var files = Files.list(Path.of(home, "node", "target"))) {
            jar = files.anyMatch(f -> f.getFileName().toString().matches("baton-node-.*\\.jar"));
        } catch (java.io.IOException e) {
            jar = false;
        }
        if (!jar || !Files.isDirectory(Path.of(home, "node", "target", "lib"))) {
            return "node/target/baton-node-*.jar or node/target/lib is missing (bin/batonctl needs them): build first (mvn -B verify, or mvn -B install -DskipTests)";
        }
        return null;
    }

    /** The absolute path of a program, looking in PATH and in the sbin directories (root's programs). */
    static String binary(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + " not found"));
    }

    static Optional<String> find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
