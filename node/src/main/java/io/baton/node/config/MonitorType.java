package io.baton.node.config;

import java.util.Optional;

/** How a resource's monitor checks that the resource still works. */
public enum MonitorType {
    /** Healthy when a TCP connection to the port is accepted within the timeout. */
    TCP("tcp"),
    /**
     * Healthy when an HTTP GET of the path answers within the timeout with a 2xx status (or exactly
     * the expected status, when one is given) and, when an expected body is given, a body that
     * contains it.
     */
    HTTP("http"),
    /** Healthy when the command exits 0 within the timeout. */
    EXEC("exec");

    private final String yamlName;

    MonitorType(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling in the cluster file. */
    public String yamlName() {
        return yamlName;
    }

    /** The type spelled {@code text} in the cluster file, if any (exact, lower case). */
    public static Optional<MonitorType> fromYaml(String text) {
        for (MonitorType type : values()) {
            if (type.yamlName.equals(text)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
