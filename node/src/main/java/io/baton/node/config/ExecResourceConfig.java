package io.baton.node.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A resource driven by two operator commands: {@code start} brings it up, {@code stop} brings it
 * down. Both must be idempotent (see {@code io.baton.resources.Resource}).
 *
 * @param name    unique within the group
 * @param start   command that starts the resource
 * @param stop    command that stops it; must also clean up after a failed start
 * @param timeout how long the start command (and, unless {@code stopTimeout} says otherwise, the stop
 *                command) may run before it counts as failed; default 30s
 * @param stopTimeout how long the stop command may run; default {@code timeout}. After a lost lease the
 *                owner has only the cluster's {@code stop_budget} to stop before another node may start
 *                the group, so a longer stop is warned about at start.
 * @param env     extra environment for both commands, in file order; never null
 * @param monitor the resource's health check; null when it has none
 * @param restart how often the resource may be restarted locally after its monitor failed; null
 *                exactly when {@code monitor} is null, {@link RestartPolicy#DEFAULT} when a monitor
 *                is given without one
 */
public record ExecResourceConfig(String name, String start, String stop, Duration timeout, Duration stopTimeout,
                                 Map<String, String> env, MonitorConfig monitor, RestartPolicy restart)
        implements ResourceConfig {

    /** The {@code type} of this resource in the cluster file. */
    public static final String TYPE = "exec";

    /** The timeout when the file gives none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public ExecResourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(timeout, "timeout");
        stopTimeout = stopTimeout == null ? timeout : stopTimeout;
        env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
        if (monitor == null && restart != null) {
            throw new IllegalArgumentException("a restart policy needs a monitor");
        }
        if (monitor != null && restart == null) {
            restart = RestartPolicy.DEFAULT;
        }
    }

    /** An exec resource whose stop has the same timeout as its start. */
    public ExecResourceConfig(String name, String start, String stop, Duration timeout, Map<String, String> env,
                              MonitorConfig monitor, RestartPolicy restart) {
        this(name, start, stop, timeout, null, env, monitor, restart);
    }

    /** An exec resource without a monitor, whose stop has the same timeout as its start. */
    public ExecResourceConfig(String name, String start, String stop, Duration timeout, Map<String, String> env) {
        this(name, start, stop, timeout, null, env, null, null);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
