package io.baton.resources.monitor;

import java.time.Duration;

/** One health check of an application. */
public interface HealthCheck {
    /** Runs the check, returning within about {@code timeout}; never throws. */
    CheckResult check(Duration timeout);

    /** What is checked, for logs. */
    String describe();
}
