/**
 * Prometheus metrics of a node: what the cluster status says (owners, epochs, phases, Raft health,
 * mirror replicas), what only this node knows (its lease, its probe ports' checks), and the JVM's.
 * {@link io.baton.node.metrics.ClusterMetrics} is a pure function of those inputs; the HTTP port
 * serves the result (io.baton.node.http).
 */
package io.baton.node.metrics;
