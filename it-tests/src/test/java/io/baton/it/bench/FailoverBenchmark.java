package io.baton.it.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.LocalCluster;
import io.baton.proto.admin.MoveRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures takeover after SIGKILL of the owner and manual move latency on a real loopback cluster
 * (one JVM per node). Not a test: it asserts nothing about speed and runs only when asked:
 * {@code bin/baton-bench} (or {@code -Dbaton.bench=true}); {@code -Dbench.trials=N} (default 20).
 *
 * <p>Takeover: from the SIGKILL to the moment the survivor's probe port accepts (polled every 5 ms).
 * Move: from sending the move to the moment the target's probe port accepts; the exec scripts log
 * their own run time, which is reported and subtracted ("move − scripts").
 */
class FailoverBenchmark {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    void takeoverAndMove() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench");
        int trials = Integer.getInteger("bench.trials", 20);
        Path dir = Path.of("target", "bench-run").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (LocalCluster cluster = new LocalCluster(dir, "127.0.31", HEARTBEAT, LEASE)) {
            cluster.startAll();
            cluster.awaitAllUp(Duration.ofSeconds(60));
            cluster.awaitOnline("server1", Duration.ofSeconds(60));

            List<Double> moves = new ArrayList<>();
            List<Double> movesLessScripts = new ArrayList<>();
            List<Double> scripts = new ArrayList<>();
            String owner = "server1";
            for (int i = 0; i < trials; i++) {
                owner = move(cluster, owner, moves, scripts, movesLessScripts);
            }

            List<Double> takeovers = new ArrayList<>();
            for (int i = 0; i < trials; i++) {
                owner = takeover(cluster, owner, takeovers);
            }

            double lease = LEASE.toMillis();
            System.out.println();
            System.out.printf("Baton failover benchmark: %d trials each, lease %.0f ms, heartbeat %d ms, loopback, "
                    + "%d cores, Java %s%n", trials, lease, HEARTBEAT.toMillis(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            row("takeover after SIGKILL (ms)", takeovers);
            row("takeover − lease (ms)", takeovers.stream().map(t -> t - lease).toList());
            System.out.printf("%-30s median %.3f  p95 %.3f  max %.3f%n", "takeover / lease",
                    pct(takeovers, 50) / lease, pct(takeovers, 95) / lease, max(takeovers) / lease);
            row("move (ms)", moves);
            row("exec scripts during a move (ms)", scripts);
            row("move − scripts (ms)", movesLessScripts);
        }
    }

    /**
     * One move of group web from {@code owner} to the other data node: the time from sending it to the
     * target's probe port accepting, the exec scripts' run time, and the difference. Returns the new owner.
     */
    static String move(LocalCluster cluster, String owner, List<Double> moves, List<Double> scripts,
                       List<Double> movesLessScripts) throws Exception {
        String target = owner.equals("server1") ? "server2" : "server1";
        int before = cluster.scriptLog().size();
        long t0 = System.nanoTime();
        cluster.admin(target).move(MoveRequest.newBuilder().setGroup("web").setTo(target).build());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2))
                .until(() -> cluster.probeOpen(target, 50));
        double ms = (System.nanoTime() - t0) / 1e6;
        cluster.awaitOnline(target, Duration.ofSeconds(10));
        double scriptMs = scriptMillis(cluster.scriptLog().subList(before, cluster.scriptLog().size()));
        moves.add(ms);
        scripts.add(scriptMs);
        movesLessScripts.add(ms - scriptMs);
        return target;
    }

    /**
     * One takeover: SIGKILL of {@code owner}'s daemon to the survivor's probe port accepting; the killed
     * node is started again. Returns the new owner.
     */
    static String takeover(LocalCluster cluster, String owner, List<Double> takeovers) throws Exception {
        String survivor = owner.equals("server1") ? "server2" : "server1";
        cluster.awaitAllUp(Duration.ofSeconds(60));
        long t0 = System.nanoTime();
        cluster.kill(owner);
        await().atMost(LEASE.multipliedBy(4)).pollInterval(Duration.ofMillis(5))
                .until(() -> cluster.probeOpen(survivor, 20));
        takeovers.add((System.nanoTime() - t0) / 1e6);
        cluster.awaitOnline(survivor, Duration.ofSeconds(10));
        cluster.start(owner);
        return survivor;
    }

    /** Sum of the run times of the scripts in these log lines. */
    private static double scriptMillis(List<String> lines) {
        double total = 0;
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            total += (Long.parseLong(f[4]) - Long.parseLong(f[3])) / 1e6;
        }
        return total;
    }

    static void row(String name, List<Double> values) {
        System.out.printf("%-30s median %8.1f  p95 %8.1f  max %8.1f  (n=%d)%n", name, pct(values, 50), pct(values, 95),
                max(values), values.size());
    }

    static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
