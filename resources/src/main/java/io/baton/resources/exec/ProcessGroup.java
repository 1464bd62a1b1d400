package io.baton.resources.exec;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command running in its own session and process group, the way Baton runs every script (exec
 * resources, exec health checks).
 *
 * <p>The command starts under {@code setsid}, so it leads a new process group and nothing it spawns
 * shares the daemon's group or terminal; stdin is {@code /dev/null}; stdout and stderr go to one
 * temporary file, of which the last {@value #OUTPUT_TAIL_BYTES} bytes are read back. A file rather
 * than a pipe, so that a daemon the command leaves behind holding its stdout cannot hold up the
 * caller: callers wait for the command process itself ({@link #waitFor}), and only they decide to
 * {@link #kill} the group (on a timeout or an interrupt). {@link #close} deletes the output file and
 * kills nothing, so daemons started by a successful command keep running.
 */
public final class ProcessGroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessGroup.class);

    /** How much of the combined output is kept. */
    public static final int OUTPUT_TAIL_BYTES = 4096;
    private static final String SETSID = new File("/usr/bin/setsid").canExecute() ? "/usr/bin/setsid" : "setsid";
    private static final String KILL = new File("/usr/bin/kill").canExecute() ? "/usr/bin/kill"
            : new File("/bin/kill").canExecute() ? "/bin/kill" : "kill";

    private final String what;
    private final Process process;
    private final Path outFile;

    private ProcessGroup(String what, Process process, Path outFile) {
        this.what = what;
        this.process = process;
        this.outFile = outFile;
    }

    /**
     * Starts {@code command} in a new session.
     *
     * @param what    names the command in log lines, e.g. "start script for 'app'"
     * @param command the program and its arguments, not empty
     * @param env     variables added to (or replacing those of) the daemon's environment
     * @throws IOException if the output file cannot be created or the program cannot be started; no
     *                     file is left behind then
     */
    public static ProcessGroup start(String what, List<String> command, Map<String, String> env) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command for " + what);
        }
        Path outFile;
        try {
            outFile = Files.createTempFile("baton-", ".log");
        } catch (IOException e) {
            throw new IOException("could not create an output file: " + e.getMessage(), e);
        }
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add(SETSID);
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(outFile.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            return new ProcessGroup(what, pb.start(), outFile);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(outFile);
            throw e;
        }
    }

    /** The command's pid, which is also its process group id. */
    public long pid() {
        return process.pid();
    }

    /** Waits for the command process itself (not its output or its children); true if it exited. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The exit status, once {@link #waitFor} returned true. */
    public int exitValue() {
        return process.exitValue();
    }

    /**
     * SIGKILLs the process group (the command leads it through setsid), then the command's remaining
     * descendants in case it had not yet become the leader, and waits briefly for the command to die.
     * Keeps the calling thread's interrupt status. Safe from any thread, and more than once.
     */
    public void kill() {
        long pid = process.pid();
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            Process kill = new ProcessBuilder(KILL, "-KILL", "--", "-" + pid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            log.warn("Could not run {} for the process group of {}: {}", KILL, pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        boolean interrupted = Thread.interrupted();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                log.warn("Process {} of {} did not die after SIGKILL", pid, what);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        log.warn("Killed the process group of {} (pgid {})", what, pid);
    }

    /**
     * The last {@value #OUTPUT_TAIL_BYTES} bytes of the combined output so far; when cut, starting at
     * the first whole line after an ellipsis.
     */
    public String outputTail() {
        try (RandomAccessFile raf = new RandomAccessFile(outFile.toFile(), "r")) {
            long length = raf.length();
            int n = (int) Math.min(length, OUTPUT_TAIL_BYTES);
            byte[] buf = new byte[n];
            raf.seek(length - n);
            raf.readFully(buf);
            String s = new String(buf, StandardCharsets.UTF_8);
            if (length > n) {
                int nl = s.indexOf('\n');
                s = "…" + (nl >= 0 && nl < s.length() - 1 ? s.substring(nl + 1) : s);
            }
            return s;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    /** Deletes the output file. Does not kill anything. */
    @Override
    public void close() {
        deleteQuietly(outFile);
    }

    /** The last {@code max} lines of {@code out}, surrounding whitespace stripped; "" if it is blank. */
    public static String lastLines(String out, int max) {
        String trimmed = out.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        String[] lines = trimmed.split("\r?\n");
        int from = Math.max(0, lines.length - max);
        return String.join("\n", Arrays.asList(lines).subList(from, lines.length)).strip();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("Could not delete {}", file, e);
        }
    }
}
