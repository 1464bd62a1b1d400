package io.baton.node.config;

import java.util.Objects;

/**
 * One member of the cluster, as every node knows it from the shared cluster file.
 *
 * @param id    unique name, {@code [A-Za-z0-9._-]+}; also the Raft peer id
 * @param role  data node or witness
 * @param zone  failure domain (such as an availability zone), for operators; null when not given
 * @param raft  where the other nodes reach this node's Raft server; its host is also the default
 *              bind address of probe ports
 * @param admin where batonctl reaches this node's admin API
 * @param mirror where the owner of a mirrored group reaches this node's mirror replica; null when
 *               the node is a member of no group with a mirror disk
 * @param http   where this node serves /metrics, /healthz, /readyz and the web console; null: no
 *               HTTP port
 */
public record NodeConfig(String id, Role role, String zone, HostPort raft, HostPort admin, HostPort mirror,
                         HostPort http) {

    public NodeConfig(String id, Role role, String zone, HostPort raft, HostPort admin) {
        this(id, role, zone, raft, admin, null, null);
    }

    public NodeConfig(String id, Role role, String zone, HostPort raft, HostPort admin, HostPort mirror) {
        this(id, role, zone, raft, admin, mirror, null);
    }

    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(raft, "raft");
        Objects.requireNonNull(admin, "admin");
    }

    /** Whether this node can own groups. */
    public boolean isData() {
        return role == Role.DATA;
    }
}
