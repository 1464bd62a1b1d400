package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool (losetup, mkfs, mount, blkid, ...) with a timeout, capturing its output.
 *
 * <p>Output goes to temporary files rather than pipes so that a tool writing a lot cannot block on
 * a full pipe while we wait for it, and no reader threads are needed. A tool that outlives the
 * timeout is killed: a hung {@code mount} must not hang a resource stop forever.
 */
public final class HostCommand {

    /** What a finished command left. */
    public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** "`losetup -d /dev/loop3` failed (exit 1): losetup: ...: No such device". */
        public String describeFailure() {
            String detail = !stderr.isBlank() ? stderr.strip() : stdout.strip();
            return "`" + String.join(" ", argv) + "` failed (exit " + exitCode + ")"
                    + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private HostCommand() {}

    /** Runs {@code argv}; any exit code is returned, only failing to run or a timeout throws. */
    public static Result run(Duration timeout, List<String> argv) throws IOException {
        Path out = Files.createTempFile("baton-cmd", ".out");
        Path err = Files.createTempFile("baton-cmd", ".err");
        try {
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            boolean done;
            try {
                done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running `" + String.join(" ", argv) + "`", e);
            }
            if (!done) {
                process.destroyForcibly();
                throw new IOException("`" + String.join(" ", argv) + "` did not finish within "
                        + timeout.toSeconds() + " s: killed");
            }
            return new Result(List.copyOf(argv), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result run(String... argv) throws IOException {
        return run(DEFAULT_TIMEOUT, List.of(argv));
    }

    /** Runs {@code argv} and returns its stdout, or throws with the tool's stderr in the message. */
    public static String check(String... argv) throws IOException {
        Result result = run(argv);
        if (!result.ok()) {
            throw new IOException(result.describeFailure());
        }
        return result.stdout();
    }
}
