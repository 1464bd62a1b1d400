package io.baton.coordinator.net;

import java.time.Duration;

/**
 * What one listening port accepts: at most {@code maxConnections} open connections, at most
 * {@code maxPerAddress} of them from one source address, a first byte within {@code firstByteTimeout}
 * of the connection, and a connection with no call in progress for {@code idleTimeout} is closed.
 *
 * <p>These bound the file descriptors and memory that anyone who can reach the port can hold
 * (issue 9: ~20,600 idle connections once took a node to its last file descriptor).
 */
public record ConnectionLimits(int maxConnections, int maxPerAddress, Duration firstByteTimeout, Duration idleTimeout) {
    public ConnectionLimits {
        if (maxConnections < 1 || maxPerAddress < 1 || maxPerAddress > maxConnections) {
            throw new IllegalArgumentException("connection limits need 1 <= per address <= per port, got "
                    + maxPerAddress + " and " + maxConnections);
        }
        if (firstByteTimeout.isNegative() || firstByteTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("connection timeouts must be positive");
        }
    }

    /**
     * The admin port: operators and scripts open one connection per command (batonctl), a few
     * long-lived ones for {@code watch}.
     */
    public static final ConnectionLimits ADMIN_DEFAULT =
            new ConnectionLimits(256, 32, Duration.ofSeconds(5), Duration.ofMinutes(5));

    /**
     * The Raft port: each peer holds a handful (log appender, heartbeat channel, two clients); on a
     * one-host lab every peer's connection comes from the same loopback address, hence the headroom.
     */
    public static final ConnectionLimits RAFT_DEFAULT =
            new ConnectionLimits(256, 64, Duration.ofSeconds(5), Duration.ofMinutes(10));
}
