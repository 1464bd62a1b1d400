package io.baton.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Where a test's cluster keeps its files: under target/, emptied at the start, kept after the run for its logs. */
public final class RunDirs {
    private RunDirs() {}

    /** {@code target/it-runs/NAME}, empty. */
    public static Path fresh(String name) throws IOException {
        Path dir = Path.of("target", "it-runs", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }
}
