package io.baton.node.config;

import java.util.Optional;

/**
 * What a node is for. Every node is a Raft voter; only data nodes can own groups. A witness exists
 * so that losing one of two data nodes still leaves a Raft majority to grant the takeover.
 */
public enum Role {
    /** Votes and runs groups' resources. */
    DATA("data"),
    /** Votes only; never owns a group. */
    WITNESS("witness");

    private final String yamlName;

    Role(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling in the cluster file. */
    public String yamlName() {
        return yamlName;
    }

    /** The role spelled {@code text} in the cluster file, if any (exact, lower case). */
    public static Optional<Role> fromYaml(String text) {
        for (Role role : values()) {
            if (role.yamlName.equals(text)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
