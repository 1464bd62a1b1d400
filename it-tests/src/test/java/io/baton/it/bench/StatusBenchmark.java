package io.baton.it.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.LocalCluster;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.StatusRequest;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Status-call throughput against the leader's admin port of a real loopback cluster: a closed loop
 * of N outstanding calls (each answer sends the next) for a fixed time, at several N. Reports calls
 * answered per second, latency, calls refused (RESOURCE_EXHAUSTED) and the leader's peak thread
 * count. Not a test: {@code bin/baton-bench status} (or {@code -Dbaton.bench=true}).
 */
class StatusBenchmark {
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("bench.seconds", 10));

    @Test
    void statusThroughput() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench status");
        Path dir = Path.of("target", "bench-status").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        List<String> rows = new ArrayList<>();
        try (LocalCluster cluster = new LocalCluster(dir, "127.0.78", Duration.ofMillis(250), Duration.ofSeconds(3))) {
            cluster.startAll();
            cluster.awaitAllUp(Duration.ofSeconds(60));
            cluster.awaitOnline("server1", Duration.ofSeconds(60));
            String leader = cluster.status().orElseThrow().getLeader();
            long pid = cluster.process(leader).pid();
            for (int outstanding : new int[] {1, 8, 64, 512}) {
                rows.add(run(cluster, cluster.member(leader).ip(), pid, outstanding));
            }
        }
        System.out.println();
        System.out.printf("Baton status benchmark: closed loop against the leader's admin port, %d s per row,"
                + " heartbeat 250 ms, loopback, %d cores, Java %s%n", RUN.toSeconds(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        rows.forEach(System.out::println);
    }

    private static String run(LocalCluster cluster, String ip, long pid, int outstanding) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < Math.max(1, outstanding / 32); i++) {
            channels.add(Grpc.newChannelBuilderForAddress(ip, 7401, cluster.adminCredentials(LocalCluster.ADMIN_CERT)).build());
        }
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + RUN.toNanos();
        CountDownLatch loops = new CountDownLatch(outstanding);
        long[] peakThreads = {threads(pid)};
        for (int i = 0; i < outstanding; i++) {
            ManagedChannel ch = channels.get(i % channels.size());
            new Object() {
                void next() {
                    if (System.nanoTime() >= end) {
                        loops.countDown();
                        return;
                    }
                    long t0 = System.nanoTime();
                    BatonAdminGrpc.newStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .status(StatusRequest.getDefaultInstance(), new StreamObserver<>() {
                                public void onNext(ClusterStatus v) {}

                                public void onError(Throwable t) {
                                    if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                                        refused.incrementAndGet();
                                    } else {
                                        failed.incrementAndGet();
                                    }
                                    next();
                                }

                                public void onCompleted() {
                                    latencies.add(System.nanoTime() - t0);
                                    ok.incrementAndGet();
                                    next();
                                }
                            });
                }
            }.next();
        }
        while (!loops.await(100, TimeUnit.MILLISECONDS)) {
            peakThreads[0] = Math.max(peakThreads[0], threads(pid));
        }
        channels.forEach(ManagedChannel::shutdownNow);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? Double.NaN : sorted.get((int) (sorted.size() * 0.99)) / 1e6;
        return String.format("outstanding %4d: %8.0f answered/s  p50 %7.2f ms  p99 %8.2f ms  refused %6d  failed %5d"
                + "  leader peak threads %d", outstanding, ok.get() / (double) RUN.toSeconds(), p50, p99,
                refused.get(), failed.get(), peakThreads[0]);
    }

    private static long threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        return -1;
    }
}
