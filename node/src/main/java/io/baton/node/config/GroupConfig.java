package io.baton.node.config;

import java.util.List;
import java.util.Objects;

/**
 * A failover group: resources that always run together on exactly one of the group's nodes.
 *
 * @param name      unique group name, {@code [A-Za-z0-9._-]+}
 * @param nodes     ids of the data nodes that may own the group, in order of preference
 * @param autostart whether the cluster starts the group on its own once it has a majority; when
 *                  false it waits for an operator's command
 * @param resources started in this order and stopped in the reverse order; a probe port, if any,
 *                  is last so that the load balancer sees the node only when all else is up
 */
public record GroupConfig(String name, List<String> nodes, boolean autostart, List<ResourceConfig> resources) {

    public GroupConfig {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        resources = List.copyOf(resources);
    }

    /** Whether the group has a mirror disk (its replica states then gate every grant). */
    public boolean hasMirrorDisk() {
        return resources.stream().anyMatch(r -> r instanceof MirrorDiskResourceConfig);
    }
}
