package io.baton.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole cluster file, validated. Every node loads the same file, so every node derives the
 * same membership, timings and groups from it.
 *
 * @param source            the file it was loaded from; null when parsed from text
 * @param name              cluster name, {@code [A-Za-z0-9._-]+}
 * @param heartbeatInterval how often lease holders renew
 * @param lease             how long a grant stays valid without renewal
 * @param maxClockDrift     ρ, the bound on clock rate drift between nodes (0.01 = 1%), in [0, 0.5)
 * @param takeoverMargin    extra wait before a new owner starts, beyond the drift-adjusted lease
 * @param stopBudget        time reserved to stop resources before the lease ends; below the lease
 * @param electionTimeout   Raft election timeout maximum; the minimum is half of it
 * @param nodes             all voters, in file order
 * @param groups            failover groups, in file order
 * @param tls               where each node finds its certificates; null when the file has no {@code tls} block
 * @param insecure          {@code insecure: true}: the operator chose to run without TLS
 * @param warnings          things that load but are probably not what the operator wants, each
 *                          {@code <field path>: <text>}
 * @param fingerprint       SHA-256 (hex) of the text this was loaded from ({@link ConfigFingerprint}), "" until
 *                          {@link ConfigLoader} sets it
 */
public record ClusterConfig(
        Path source,
        String name,
        Duration heartbeatInterval,
        Duration lease,
        double maxClockDrift,
        Duration takeoverMargin,
        Duration stopBudget,
        Duration electionTimeout,
        List<NodeConfig> nodes,
        List<GroupConfig> groups,
        TlsConfig tls,
        boolean insecure,
        List<String> warnings,
        List<AlertConfig> alerts,
        String fingerprint) {

    /** ρ when the file gives none: 1%. */
    public static final double DEFAULT_MAX_CLOCK_DRIFT = 0.01;
    /** Takeover margin when the file gives none. */
    public static final Duration DEFAULT_TAKEOVER_MARGIN = Duration.ofMillis(200);
    /** Election timeout when the file gives none. */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(300);

    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(takeoverMargin, "takeoverMargin");
        Objects.requireNonNull(stopBudget, "stopBudget");
        Objects.requireNonNull(electionTimeout, "electionTimeout");
        nodes = List.copyOf(nodes);
        groups = List.copyOf(groups);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        warnings = List.copyOf(warnings);
    }

    /** The stop budget when the file gives none: a third of the lease. */
    public static Duration defaultStopBudget(Duration lease) {
        return lease.dividedBy(3);
    }

    /** The node with this id. */
    public Optional<NodeConfig> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** The group with this name. */
    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** The nodes that can own groups, in file order. */
    public List<NodeConfig> dataNodes() {
        return nodes.stream().filter(NodeConfig::isData).toList();
    }

    /** The first witness in file order, if there is one. */
    public Optional<NodeConfig> witness() {
        return nodes.stream().filter(n -> n.role() == Role.WITNESS).findFirst();
    }

    /** This node's TLS files, if the cluster has a {@code tls} block. */
    public Optional<TlsConfig.Files> tlsFiles(String nodeId) {
        return Optional.ofNullable(tls).map(t -> t.forNode(nodeId, source == null ? null : source.toAbsolutePath().getParent()));
    }

    ClusterConfig withWarnings(List<String> newWarnings) {
        return new ClusterConfig(source, name, heartbeatInterval, lease, maxClockDrift, takeoverMargin,
                stopBudget, electionTimeout, nodes, groups, tls, insecure, newWarnings, alerts, fingerprint);
    }

    /**
     * This configuration with {@code applied}'s groups: what a node runs by once an operator applied a
     * cluster file ({@code batonctl config apply}), whose other sections cannot change live.
     */
    public ClusterConfig withGroupsOf(ClusterConfig applied) {
        return new ClusterConfig(source, name, heartbeatInterval, lease, maxClockDrift, takeoverMargin,
                stopBudget, electionTimeout, nodes, applied.groups(), tls, insecure, warnings, alerts, fingerprint);
    }

    ClusterConfig withFingerprint(String hash) {
        return new ClusterConfig(source, name, heartbeatInterval, lease, maxClockDrift, takeoverMargin,
                stopBudget, electionTimeout, nodes, groups, tls, insecure, warnings, alerts, hash);
    }
}
