package io.baton.node.metrics;

import io.baton.proto.admin.ClusterStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A node's metrics registry: the Baton metrics of {@link ClusterMetrics}, computed at each scrape
 * from the status and the local view the suppliers give, plus the JVM's (memory, GC, threads, CPU).
 * A registry of its own, not the client's global one, so that several nodes in one JVM (tests) do
 * not mix.
 */
public final class NodeMetrics {
    /** The Content-Type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param status the cluster status to report (the node's cached status: a scrape costs no extra
     *               leader query beyond one per heartbeat interval)
     * @param local  what only this node knows
     */
    public NodeMetrics(Supplier<ClusterStatus> status, Supplier<LocalView> local) {
        registry.register((MultiCollector) () -> new MetricSnapshots(ClusterMetrics.of(status.get(), local.get())));
        JvmMetrics.builder().register(registry);
    }

    /** Every metric, in Prometheus text format. */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
