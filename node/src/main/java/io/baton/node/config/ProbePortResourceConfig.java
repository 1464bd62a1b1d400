package io.baton.node.config;

import java.util.Objects;

/**
 * A port that is open only on the node that owns the group, so that a load balancer's health check
 * (for example an AWS NLB target group) sends traffic to that node alone.
 *
 * @param name unique within the group
 * @param port 1..65535
 * @param bind the address to listen on; null means the host of the owning node's raft address,
 *             which differs per node and so is resolved at run time
 * @param mode how the port answers health checks
 */
public record ProbePortResourceConfig(String name, int port, String bind, ProbeMode mode) implements ResourceConfig {

    /** The {@code type} of this resource in the cluster file. */
    public static final String TYPE = "probe_port";

    public ProbePortResourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The address this probe listens on when {@code node} owns the group. */
    public String bindOn(NodeConfig node) {
        return bind != null ? bind : node.raft().host();
    }
}
