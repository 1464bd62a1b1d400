package io.baton.node.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A failover group: resources that always run together on exactly one of the group's nodes.
 *
 * @param name          unique group name, {@code [A-Za-z0-9._-]+}
 * @param nodes         ids of the data nodes that may own the group, in order of preference
 * @param autostart     whether the cluster starts the group on its own once it has a majority; when
 *                      false it waits for an operator's command
 * @param resources     started in this order and stopped in the reverse order; a probe port, if any,
 *                      is last so that the load balancer sees the node only when all else is up
 * @param onFailure     what happens once a monitored resource failed and its local restarts are used
 *                      up; default {@link OnFailure#FAILOVER}
 * @param failoverLimit how many failovers the group may make in a window before it goes failed and
 *                      stays where it is; default {@link FailoverLimit#DEFAULT}
 * @param failback      whether the group returns to a more preferred member on its own; default
 *                      {@link Failback#NEVER}
 * @param failbackAfter with automatic failback, how long the preferred member must have been healthy
 *                      before the group moves back; positive, default 60s
 * @param probeWait     how long the load balancer may send no health check to the group's probe
 *                      port before a {@code probe-wait} warning; it changes no ownership.
 *                      {@link Duration#ZERO} turns the warning off; default 31s
 */
public record GroupConfig(String name, List<String> nodes, boolean autostart, List<ResourceConfig> resources,
                          OnFailure onFailure, FailoverLimit failoverLimit, Failback failback,
                          Duration failbackAfter, Duration probeWait) {

    /** The failback delay when the file gives none. */
    public static final Duration DEFAULT_FAILBACK_AFTER = Duration.ofSeconds(60);
    /** The probe wait when the file gives none. */
    public static final Duration DEFAULT_PROBE_WAIT = Duration.ofSeconds(31);

    public GroupConfig {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        resources = List.copyOf(resources);
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(failoverLimit, "failoverLimit");
        Objects.requireNonNull(failback, "failback");
        Objects.requireNonNull(failbackAfter, "failbackAfter");
        Objects.requireNonNull(probeWait, "probeWait");
        if (failbackAfter.isNegative() || failbackAfter.isZero()) {
            throw new IllegalArgumentException("failbackAfter must be positive, got " + failbackAfter);
        }
        if (probeWait.isNegative()) {
            throw new IllegalArgumentException("probeWait must not be negative, got " + probeWait);
        }
    }

    /** A group with the default failure, failback and probe wait settings. */
    public GroupConfig(String name, List<String> nodes, boolean autostart, List<ResourceConfig> resources) {
        this(name, nodes, autostart, resources, OnFailure.FAILOVER, FailoverLimit.DEFAULT, Failback.NEVER,
                DEFAULT_FAILBACK_AFTER, DEFAULT_PROBE_WAIT);
    }

    /** Whether the group has a mirror disk (its replica states then gate every grant). */
    public boolean hasMirrorDisk() {
        return resources.stream().anyMatch(r -> r instanceof MirrorDiskResourceConfig);
    }

    /** Whether the probe wait warning is on (a {@code probe_wait} of 0 turns it off). */
    public boolean probeWaitEnabled() {
        return !probeWait.isZero();
    }
}
