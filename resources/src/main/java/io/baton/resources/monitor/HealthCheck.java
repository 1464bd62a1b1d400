package io.baton.resources.monitor;

import java.time.Duration;

/**
 * One probe of an application's health.
 *
 * <p>The monitor calls {@link #check} from its own thread, over and over, and must be able to rely on
 * it coming back: a hung application is exactly what a check has to report, so a check that would
 * take longer than {@code timeout} gives up and reports the timeout, and any exception becomes an
 * unhealthy result. Implementations are safe for one caller at a time and reusable across calls.
 */
public interface HealthCheck {

    /**
     * Probes once. Blocks at most about {@code timeout}; never throws for anything the application or
     * the network does.
     *
     * @param timeout how long the probe may take, positive
     * @throws IllegalArgumentException if {@code timeout} is not positive (a caller's bug, not a
     *                                  failed check)
     */
    CheckResult check(Duration timeout);

    /**
     * Builds whatever the first check would otherwise build (a client, its threads), so that the first
     * check is no slower than the others; called once, before the first check, off the caller's path.
     */
    default void prepare(Duration timeout) {}

    /** What is probed, for status output and logs: "tcp 127.0.0.1:8080", "exec /etc/baton/check.sh". */
    String describe();
}
