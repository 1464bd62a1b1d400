package io.baton.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A health check of an exec resource. It runs only on the group's owner while the group is active
 * there: a check every {@code interval}, which fails if it gives no healthy answer within
 * {@code timeout}; after {@code failures} failed checks in a row the resource counts as failed and
 * its {@link RestartPolicy} applies.
 *
 * @param type        how the resource is checked
 * @param host        the address a tcp or http check connects to; null means the probe bind
 *                    address (resolved at run time, like {@link ProbePortResourceConfig#bind()});
 *                    always null for exec checks
 * @param port        1..65535 for tcp and http checks, 0 for exec checks
 * @param path        the path an http check GETs, {@code "/"} by default; null for other types
 * @param expectStatus the only status an http check accepts as healthy; null means any 2xx
 * @param expectBody  text the body of an http answer must contain to be healthy; null for none
 * @param command     the command of an exec check, healthy on exit 0; null for other types
 * @param interval    how often a check runs; positive
 * @param timeout     how long one check may take; positive and shorter than {@code interval}
 * @param failures    consecutive failed checks before the resource counts as failed; at least 1
 * @param startGrace  no verdict for this long after the resource started; zero or more
 */
public record MonitorConfig(MonitorType type, String host, int port, String path, Integer expectStatus,
                            String expectBody, String command, Duration interval, Duration timeout, int failures,
                            Duration startGrace) {

    /** The interval when the file gives none. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** Consecutive failed checks when the file gives none. */
    public static final int DEFAULT_FAILURES = 3;
    /** The start grace when the file gives none: a verdict from the first check on. */
    public static final Duration DEFAULT_START_GRACE = Duration.ZERO;
    /** The path of an http check when the file gives none. */
    public static final String DEFAULT_HTTP_PATH = "/";

    public MonitorConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(startGrace, "startGrace");
        switch (type) {
            case TCP, HTTP -> {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
                }
                if (command != null) {
                    throw new IllegalArgumentException("a " + type.yamlName() + " monitor has no command");
                }
            }
            case EXEC -> {
                Objects.requireNonNull(command, "command");
                if (port != 0 || host != null) {
                    throw new IllegalArgumentException("an exec monitor has no host or port");
                }
            }
        }
        if (type == MonitorType.HTTP) {
            Objects.requireNonNull(path, "path");
        } else if (path != null || expectStatus != null || expectBody != null) {
            throw new IllegalArgumentException("path, expectStatus and expectBody are for http monitors only");
        }
        if (expectStatus != null && (expectStatus < 100 || expectStatus > 599)) {
            throw new IllegalArgumentException("expectStatus must be between 100 and 599, got " + expectStatus);
        }
        if (!isPositive(interval) || !isPositive(timeout)) {
            throw new IllegalArgumentException("interval and timeout must be positive, got " + interval + " and " + timeout);
        }
        if (timeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("timeout must be shorter than interval " + interval + ", got " + timeout);
        }
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        }
        if (startGrace.isNegative()) {
            throw new IllegalArgumentException("startGrace must not be negative, got " + startGrace);
        }
    }

    /** The timeout when the file gives none: half the interval. */
    public static Duration defaultTimeout(Duration interval) {
        return interval.dividedBy(2);
    }

    private static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }
}
