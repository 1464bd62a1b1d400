package io.baton.resources.monitor;

/** The outcome of one check: healthy, or why not (one line, for operators). */
public record CheckResult(boolean healthy, String error) {
    public static CheckResult ok() {
        return new CheckResult(true, "");
    }

    public static CheckResult failed(String why) {
        return new CheckResult(false, why);
    }
}
