package io.baton.node.config;

import java.util.Optional;

/**
 * What a group does when a monitored resource has failed and its local restarts are used up.
 */
public enum OnFailure {
    /**
     * The group is stopped on this node and another eligible member takes it over, as long as the
     * group stays within its {@link FailoverLimit}.
     */
    FAILOVER("failover"),
    /** The group is stopped on this node and started nowhere else until an operator acts. */
    STOP("stop"),
    /** The group is left running on this node, degraded; ownership does not change. */
    KEEP("keep");

    private final String yamlName;

    OnFailure(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling in the cluster file. */
    public String yamlName() {
        return yamlName;
    }

    /** The policy spelled {@code text} in the cluster file, if any (exact, lower case). */
    public static Optional<OnFailure> fromYaml(String text) {
        for (OnFailure policy : values()) {
            if (policy.yamlName.equals(text)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
