package io.baton.it.bench;

import static io.baton.it.bench.FailoverBenchmark.HEARTBEAT;
import static io.baton.it.bench.FailoverBenchmark.LEASE;
import static io.baton.it.bench.FailoverBenchmark.max;
import static io.baton.it.bench.FailoverBenchmark.pct;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Takeover and move with the Raft port in mutual TLS against plaintext, side by side in one run (issue
 * 10): two loopback clusters of three JVMs each, one with the cluster file's {@code tls} block
 * (127.0.83.11–13), one with {@code insecure: true} (127.0.82.11–13), both up for the whole run. Trials
 * go in blocks of five, alternating between the clusters, so that load from elsewhere on a shared
 * machine weighs on both alike. Measures as {@link FailoverBenchmark}. Not a test: it asserts nothing
 * and runs only when asked: {@code bin/baton-bench tls [TRIALS]} (or {@code -Dbaton.bench=true}
 * {@code -Dtest=TlsFailoverBenchmark}); {@code -Dbench.trials=N} (default 20) per cluster and measure.
 */
class TlsFailoverBenchmark {
    private static final int BLOCK = 5;

    /** One cluster's owner and measurements. */
    private static final class Side {
        final String name;
        final LocalCluster cluster;
        String owner = "server1";
        final List<Double> moves = new ArrayList<>();
        final List<Double> scripts = new ArrayList<>();
        final List<Double> movesLessScripts = new ArrayList<>();
        final List<Double> takeovers = new ArrayList<>();

        Side(String name, LocalCluster cluster) {
            this.name = name;
            this.cluster = cluster;
        }
    }

    @Test
    void takeoverAndMoveWithAndWithoutTls() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench tls");
        int trials = Integer.getInteger("bench.trials", 20);
        Path root = Path.of("target", "bench-tls-run").toAbsolutePath();
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (LocalCluster plainCluster = new LocalCluster(root.resolve("plaintext"), "127.0.82", HEARTBEAT, LEASE, 0,
                null, false);
             LocalCluster tlsCluster = new LocalCluster(root.resolve("tls"), "127.0.83", HEARTBEAT, LEASE, 0, null, true)) {
            List<Side> sides = List.of(new Side("plaintext", plainCluster), new Side("TLS", tlsCluster));
            for (Side side : sides) {
                side.cluster.startAll();
            }
            for (Side side : sides) {
                side.cluster.awaitAllUp(Duration.ofSeconds(90));
                side.cluster.awaitOnline("server1", Duration.ofSeconds(60));
            }
            for (int done = 0; done < trials; done += BLOCK) {
                for (Side side : sides) {
                    for (int i = done; i < Math.min(trials, done + BLOCK); i++) {
                        side.owner = FailoverBenchmark.move(side.cluster, side.owner, side.moves, side.scripts,
                                side.movesLessScripts);
                    }
                }
            }
            for (int done = 0; done < trials; done += BLOCK) {
                for (Side side : sides) {
                    for (int i = done; i < Math.min(trials, done + BLOCK); i++) {
                        side.owner = FailoverBenchmark.takeover(side.cluster, side.owner, side.takeovers);
                    }
                }
            }
            report(trials, sides.get(0), sides.get(1));
        }
    }

    private static void report(int trials, Side plain, Side tls) {
        double lease = LEASE.toMillis();
        System.out.println();
        System.out.printf("Baton TLS benchmark: %d trials per cluster and measure, in blocks of %d alternating, lease %.0f ms, "
                        + "heartbeat %d ms, loopback, %d cores, Java %s%n", trials, BLOCK, lease, HEARTBEAT.toMillis(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%-26s %-28s %-28s %s%n", "", "plaintext: median p95 max", "TLS: median p95 max",
                "TLS − plaintext, medians");
        compare("takeover after SIGKILL", plain.takeovers, tls.takeovers);
        compare("takeover − lease", plain.takeovers.stream().map(t -> t - lease).toList(),
                tls.takeovers.stream().map(t -> t - lease).toList());
        compare("move", plain.moves, tls.moves);
        compare("exec scripts during a move", plain.scripts, tls.scripts);
        compare("move − scripts", plain.movesLessScripts, tls.movesLessScripts);
    }

    private static void compare(String name, List<Double> plain, List<Double> tls) {
        double a = pct(plain, 50);
        double b = pct(tls, 50);
        System.out.printf("%-26s %8.1f %8.1f %8.1f    %8.1f %8.1f %8.1f    %+7.1f ms (%+.1f %%)%n", name + " (ms)",
                a, pct(plain, 95), max(plain), b, pct(tls, 95), max(tls), b - a, a == 0 ? 0 : (b - a) / a * 100);
    }
}
