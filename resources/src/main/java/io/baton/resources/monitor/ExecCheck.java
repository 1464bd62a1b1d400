package io.baton.resources.monitor;

import io.baton.resources.exec.ProcessGroup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Healthy when {@code /bin/sh -c command} exits 0 within the timeout.
 *
 * <p>The command runs as exec resources run their scripts ({@link ProcessGroup}): its own session and
 * process group, stdin from {@code /dev/null}, stdout and stderr to a file of which the tail is
 * kept. A non-zero exit reports the status and the last output line; on timeout the whole process
 * group is SIGKILLed, so a hung check leaves nothing behind. Like exec resources, a check that exits
 * in time is not killed: a background process it leaves keeps running.
 *
 * <p>Environment: the daemon's, plus {@code env} (where the caller puts the configured variables and
 * the {@code BATON_*} values: group, node, epoch, resource), plus {@code BATON_ACTION=check}, so one
 * script can serve as start, stop and check.
 */
public final class ExecCheck implements HealthCheck {

    private final String command;
    private final Map<String, String> env;

    /**
     * @param command a shell command line or a script path, run with {@code /bin/sh -c}
     * @param env     variables added to the daemon's environment; may be null
     */
    public ExecCheck(String command, Map<String, String> env) {
        this.command = Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("exec check needs a command");
        }
        Map<String, String> all = new LinkedHashMap<>(env == null ? Map.of() : env);
        all.put("BATON_ACTION", "check");
        this.env = Map.copyOf(all);
    }

    @Override
    public CheckResult check(Duration timeout) {
        Timeouts.requirePositive(timeout);
        ProcessGroup process;
        try {
            process = ProcessGroup.start("check '" + describe() + "'", List.of("/bin/sh", "-c", command), env);
        } catch (Exception e) {
            return CheckResult.failed("could not run: " + Reasons.of(e));
        }
        try (process) {
            boolean exited;
            try {
                exited = process.waitFor(timeout);
            } catch (InterruptedException e) {
                process.kill();
                Thread.currentThread().interrupt();
                return CheckResult.failed("interrupted");
            }
            if (!exited) {
                process.kill();
                return CheckResult.failed(Timeouts.timedOut(timeout) + lastLine(process));
            }
            int status = process.exitValue();
            return status == 0 ? CheckResult.ok() : CheckResult.failed("exit status " + status + lastLine(process));
        } catch (RuntimeException e) {
            process.kill();
            return CheckResult.failed(Reasons.of(e));
        }
    }

    private static String lastLine(ProcessGroup process) {
        String line = ProcessGroup.lastLines(process.outputTail(), 1);
        return line.isEmpty() ? "" : ": " + line;
    }

    @Override
    public String describe() {
        return "exec " + command;
    }

    @Override
    public String toString() {
        return "ExecCheck[" + command + "]";
    }
}
