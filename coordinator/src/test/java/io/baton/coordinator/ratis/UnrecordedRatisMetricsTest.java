package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.junit.jupiter.api.Test;

class UnrecordedRatisMetricsTest {

    @Test
    void ratisFindsItInsteadOfDropwizard() {
        assertInstanceOf(UnrecordedRatisMetrics.class, MetricRegistries.global());
    }

    @Test
    void countersCountTimersMeasureAndARegistryIsKeptByItsInfo() {
        UnrecordedRatisMetrics metrics = new UnrecordedRatisMetrics();
        MetricRegistryInfo info = new MetricRegistryInfo("s1", "ratis", "server", "test");
        RatisMetricRegistry registry = metrics.create(info);
        assertSame(registry, metrics.create(info));
        assertSame(registry, metrics.get(info).orElseThrow());

        LongCounter counter = registry.counter("requests");
        counter.inc();
        counter.inc(4);
        counter.dec();
        assertEquals(4, registry.counter("requests").getCount());
        assertTrue(registry.timer("append").time().stop() >= 0);
        registry.gauge("queue", () -> () -> 1);

        assertTrue(metrics.remove(info));
        assertTrue(metrics.getMetricRegistries().isEmpty());
    }
}
