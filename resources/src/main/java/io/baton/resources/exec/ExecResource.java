package io.baton.resources.exec;

import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resource driven by a start and a stop command, such as an init script.
 *
 * <p>Each command runs as a {@link ProcessGroup}: in its own session and process group
 * ({@code setsid}), with stdin from {@code /dev/null} and stdout and stderr going to a temporary
 * file, whose last {@value #OUTPUT_TAIL_BYTES} bytes are kept. The driver waits for the command
 * process itself, not for its output to close, so daemons it leaves behind do not hold the call up,
 * and only a timeout (or interrupt) kills the whole process group.
 *
 * <p>Scripts receive {@code BATON_GROUP}, {@code BATON_NODE}, {@code BATON_EPOCH},
 * {@code BATON_RESOURCE} and {@code BATON_ACTION} ({@code start} or {@code stop}) on top of the
 * daemon's environment and the configured extra variables (the {@code BATON_*} values win).
 *
 * <p>Idempotence: {@link #start} does nothing while the last action was a successful start;
 * {@link #stop} does nothing while the last action was a successful stop. Initially the resource
 * is reported inactive, but the first stop still runs the stop command, since a previous daemon may
 * have left the application running. Start and stop are serialised; {@link #observe} never blocks.
 */
public final class ExecResource implements Resource {

    private static final Logger log = LoggerFactory.getLogger(ExecResource.class);

    /** How much of the combined output is kept. */
    public static final int OUTPUT_TAIL_BYTES = ProcessGroup.OUTPUT_TAIL_BYTES;
    /** How many trailing output lines go into an exception message. */
    private static final int MESSAGE_LINES = 10;

    private enum Last { NONE, STARTED, STOPPED, FAILED }

    private final String name;
    private final List<String> startCommand;
    private final List<String> stopCommand;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final Map<String, String> extraEnv;

    private final Object lock = new Object();
    private volatile Last last = Last.NONE;
    private volatile String detail = "not started";
    private volatile String lastOutput = "";
    private volatile ProcessGroup running;

    /**
     * @param startCommand the start command and its arguments, not empty
     * @param stopCommand  the stop command and its arguments; null or empty for none
     * @param timeout      how long either command may run before its process group is killed
     * @param extraEnv     variables added to the daemon's environment; may be null
     */
    public ExecResource(String name, List<String> startCommand, List<String> stopCommand, Duration timeout,
                        Map<String, String> extraEnv) {
        this(name, startCommand, stopCommand, timeout, timeout, extraEnv);
    }

    /**
     * @param startTimeout how long the start command may run before its process group is killed
     * @param stopTimeout  the same for the stop command
     */
    public ExecResource(String name, List<String> startCommand, List<String> stopCommand, Duration startTimeout,
                        Duration stopTimeout, Map<String, String> extraEnv) {
        this.name = Objects.requireNonNull(name, "name");
        this.startCommand = List.copyOf(Objects.requireNonNull(startCommand, "startCommand"));
        if (this.startCommand.isEmpty()) {
            throw new IllegalArgumentException("exec resource '" + name + "' has an empty start command");
        }
        this.stopCommand = stopCommand == null ? List.of() : List.copyOf(stopCommand);
        this.startTimeout = positive(startTimeout, "start timeout");
        this.stopTimeout = positive(stopTimeout, "stop timeout");
        this.extraEnv = extraEnv == null ? Map.of() : Map.copyOf(extraEnv);
    }

    private static Duration positive(Duration timeout, String what) {
        Objects.requireNonNull(timeout, what);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + timeout);
        }
        return timeout;
    }

    /**
     * Runs each script through {@code /bin/sh -c}, so it may be a path or a command line.
     * A null or blank stop script means there is nothing to run on stop.
     */
    public static ExecResource fromScripts(String name, String startScript, String stopScript, Duration timeout,
                                           Map<String, String> env) {
        return fromScripts(name, startScript, stopScript, timeout, timeout, env);
    }

    /** {@link #fromScripts(String, String, String, Duration, Map)} with a timeout of its own for the stop script. */
    public static ExecResource fromScripts(String name, String startScript, String stopScript, Duration startTimeout,
                                           Duration stopTimeout, Map<String, String> env) {
        Objects.requireNonNull(startScript, "startScript");
        List<String> stop = stopScript == null || stopScript.isBlank() ? List.of() : shell(stopScript);
        return new ExecResource(name, shell(startScript), stop, startTimeout, stopTimeout, env);
    }

    private static List<String> shell(String script) {
        return List.of("/bin/sh", "-c", script);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "exec";
    }

    /** The kept tail of the last command's combined stdout and stderr. */
    public String lastOutput() {
        return lastOutput;
    }

    @Override
    public void start(ResourceContext context) throws ResourceException {
        synchronized (lock) {
            if (last == Last.STARTED) {
                return;
            }
            run("start", startCommand, startTimeout, context);
            last = Last.STARTED;
        }
    }

    @Override
    public void stop(ResourceContext context) throws ResourceException {
        synchronized (lock) {
            if (last == Last.STOPPED) {
                return;
            }
            if (stopCommand.isEmpty()) {
                lastOutput = "";
                detail = "stopped (no stop command)";
            } else {
                run("stop", stopCommand, stopTimeout, context);
            }
            last = Last.STOPPED;
        }
    }

    @Override
    public ResourceState observe() {
        switch (last) {
            case STARTED:
                return ResourceState.active(detail);
            case FAILED:
                return ResourceState.failed(detail);
            default:
                return ResourceState.inactive(detail);
        }
    }

    /** Kills a command still running (as when the daemon exits). */
    @Override
    public void close() {
        ProcessGroup p = running;
        if (p != null) {
            p.kill();
        }
    }

    @Override
    public String toString() {
        return "ExecResource[" + name + "]";
    }

    // ---- running a command ----

    private void run(String action, List<String> command, Duration timeout, ResourceContext context)
            throws ResourceException {
        String what = action + " script for '" + name + "'";
        ProcessGroup process;
        try {
            process = ProcessGroup.start(what, command, environment(action, context));
        } catch (IOException e) {
            throw fail(what + " could not be run: " + e.getMessage(), e);
        }
        try (process) {
            running = process;
            log.info("Running {} (pid {}): {}", what, process.pid(), command);
            boolean exited;
            try {
                exited = process.waitFor(timeout);
            } catch (InterruptedException e) {
                process.kill();
                Thread.currentThread().interrupt();
                String out = process.outputTail();
                throw fail(what + " was interrupted; killed it" + suffix(out), e);
            } finally {
                running = null;
            }
            if (!exited) {
                process.kill();
                String out = process.outputTail();
                throw fail(what + " timed out after " + format(timeout) + suffix(out), null);
            }
            int status = process.exitValue();
            String out = process.outputTail();
            if (status != 0) {
                throw fail(what + " exited with status " + status + suffix(out), null);
            }
            lastOutput = out;
            detail = (action.equals("start") ? "started" : "stopped") + " (exit 0)" + lastLineSuffix(out);
            log.info("{} succeeded{}", what, lastLineSuffix(out));
        }
    }

    private Map<String, String> environment(String action, ResourceContext context) {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("BATON_GROUP", context.group());
        env.put("BATON_NODE", context.node());
        env.put("BATON_EPOCH", Long.toString(context.epoch()));
        env.put("BATON_RESOURCE", name);
        env.put("BATON_ACTION", action);
        return env;
    }

    /** Records a failure (state FAILED) and makes the exception to throw. */
    private ResourceException fail(String message, Throwable cause) {
        last = Last.FAILED;
        detail = message;
        log.warn("{}", message);
        return cause == null ? new ResourceException(message) : new ResourceException(message, cause);
    }

    private String suffix(String out) {
        lastOutput = out;
        String lines = ProcessGroup.lastLines(out, MESSAGE_LINES);
        return lines.isEmpty() ? " (no output)" : ": " + lines;
    }

    private static String lastLineSuffix(String out) {
        String line = ProcessGroup.lastLines(out, 1);
        return line.isEmpty() ? ", no output" : ": " + line;
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}
