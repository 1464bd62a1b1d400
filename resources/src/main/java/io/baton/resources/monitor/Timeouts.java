package io.baton.resources.monitor;

import java.time.Duration;
import java.util.Objects;

/** The check timeout: validated once, handed to socket APIs, and named in failure reasons. */
final class Timeouts {

    private Timeouts() {
    }

    static Duration requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("check timeout must be positive: " + timeout);
        }
        return timeout;
    }

    /** As milliseconds for socket APIs, at least 1, since 0 means no timeout there. */
    static int millis(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** "timed out after 500ms", "timed out after 2s". */
    static String timedOut(Duration timeout) {
        return "timed out after " + format(timeout);
    }

    /** Whole seconds as "2s", anything else as "1500ms" (as exec resources word their timeouts). */
    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
