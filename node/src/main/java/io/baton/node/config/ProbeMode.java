package io.baton.node.config;

import java.util.Optional;

/**
 * How a probe port answers a load balancer's health check: a plain TCP accept, or an HTTP 200 for
 * balancers whose health checks speak HTTP.
 */
public enum ProbeMode {
    /** Accepts the connection and closes it. */
    TCP("tcp"),
    /** Answers any request with {@code 200 OK}. */
    HTTP("http");

    private final String yamlName;

    ProbeMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling in the cluster file. */
    public String yamlName() {
        return yamlName;
    }

    /** The mode spelled {@code text} in the cluster file, if any (exact, lower case). */
    public static Optional<ProbeMode> fromYaml(String text) {
        for (ProbeMode mode : values()) {
            if (mode.yamlName.equals(text)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
