package io.baton.node.agent;

import io.baton.resources.monitor.CheckResult;
import io.baton.resources.monitor.HealthCheck;
import java.time.Duration;

/** A health check that answers what the test says, and counts how often it ran. */
final class FakeCheck implements HealthCheck {
    private volatile CheckResult next = CheckResult.ok();
    private volatile int runs;

    void healthy() {
        next = CheckResult.ok();
    }

    void failing(String why) {
        next = CheckResult.failed(why);
    }

    int runs() {
        return runs;
    }

    @Override
    public CheckResult check(Duration timeout) {
        runs++;
        return next;
    }

    @Override
    public String describe() {
        return "fake";
    }
}
