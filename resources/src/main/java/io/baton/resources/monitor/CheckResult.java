package io.baton.resources.monitor;

import java.util.Objects;

/**
 * The outcome of one health check.
 *
 * <p>The error is what an operator sees in status output and events ("connection refused",
 * "HTTP 503", "exit status 1: db not ready"), so {@link #failed} keeps it to one short line.
 *
 * @param healthy whether the check passed
 * @param error   why it failed; "" when healthy, never blank when not
 */
public record CheckResult(boolean healthy, String error) {

    /** Longest error kept; longer ones are cut with an ellipsis. */
    public static final int MAX_ERROR_CHARS = 200;

    private static final CheckResult OK = new CheckResult(true, "");

    public CheckResult {
        Objects.requireNonNull(error, "error");
        if (healthy && !error.isEmpty()) {
            throw new IllegalArgumentException("a healthy result has no error: " + error);
        }
        if (!healthy && error.isBlank()) {
            throw new IllegalArgumentException("a failed result needs a reason");
        }
    }

    public static CheckResult ok() {
        return OK;
    }

    /**
     * A failure with the reason {@code why}, made one line (line breaks become " / ") and at most
     * {@value #MAX_ERROR_CHARS} characters; "check failed" if {@code why} is null or blank.
     */
    public static CheckResult failed(String why) {
        String line = why == null ? "" : why.strip().replaceAll("\\s*\\R\\s*", " / ");
        if (line.isEmpty()) {
            line = "check failed";
        }
        if (line.length() > MAX_ERROR_CHARS) {
            line = line.substring(0, MAX_ERROR_CHARS - 1) + "…";
        }
        return new CheckResult(false, line);
    }
}
