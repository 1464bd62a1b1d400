package io.baton.node.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --wait-timeout}, shared by move, start and stop. */
final class WaitOptions {
    @Option(names = "--wait", description = "Wait until the change is done (polls status every 50 ms).")
    boolean wait;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Give up waiting after this long (default: ${DEFAULT-VALUE}).")
    Duration waitTimeout;
}
