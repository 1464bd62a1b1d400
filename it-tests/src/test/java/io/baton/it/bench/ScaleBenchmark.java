package io.baton.it.bench;

import static io.baton.it.bench.FailoverBenchmark.HEARTBEAT;
import static io.baton.it.bench.FailoverBenchmark.LEASE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.LocalCluster;
import io.baton.it.RunDirs;
import io.baton.proto.ActivityProto;
import io.baton.proto.PhaseProto;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.Event;
import io.baton.proto.admin.WatchRequest;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many groups on one pair (issue 12): a loopback TLS cluster whose group {@code web} has
 * {@code bench.groups − 1} siblings, each an exec resource and a probe port, all preferring server1.
 * Not a test: {@code bin/baton-bench scale [GROUPS] [TRIALS]} (or {@code -Dbaton.bench=true}).
 *
 * <p>Takeover: from SIGKILL of the owner of every group, with the survivor at rest, to every group
 * ONLINE on the survivor in the committed state (the last group's {@code online} event received from
 * the witness's event stream). Move: one group among them, from sending the move to
 * the target's probe port accepting, less the exec scripts' run time.
 */
class ScaleBenchmark {
    @Test
    void everyGroupTakenOverAndOneMoved() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench scale");
        int groups = Integer.getInteger("bench.groups", 200);
        int trials = Integer.getInteger("bench.trials", 5);
        Path dir = RunDirs.fresh("bench-scale");
        try (LocalCluster cluster = new LocalCluster(dir, "127.0.32", HEARTBEAT, LEASE)) {
            StringBuilder more = new StringBuilder();
            Path app = dir.resolve("app");
            for (int i = 2; i <= groups; i++) {
                more.append("  - name: g").append(String.format("%03d", i)).append('\n')
                        .append("    nodes: [server1, server2]\n    probe_wait: 0\n    resources:\n")
                        .append("      - {type: exec, name: app, start: 'touch ").append(app).append("/g").append(i)
                        .append(".$BATON_NODE', stop: 'rm -f ").append(app).append("/g").append(i).append(".$BATON_NODE', stop_timeout: 1s}\n")
                        .append("      - {type: probe_port, name: probe, port: ").append(20_000 + i).append("}\n");
            }
            cluster.appendConfig(more.toString());
            cluster.startAll();
            cluster.awaitAllUp(Duration.ofSeconds(120));
            awaitAllOnline(cluster, "server1", groups, Duration.ofSeconds(120));

            List<Double> moves = new ArrayList<>();
            List<Double> scripts = new ArrayList<>();
            List<Double> movesLessScripts = new ArrayList<>();
            String owner = "server1";
            for (int i = 0; i < trials * 2; i++) {
                owner = FailoverBenchmark.move(cluster, owner, moves, scripts, movesLessScripts);
            }
            // Every group back on one node before the takeovers.
            if (!owner.equals("server1")) {
                owner = FailoverBenchmark.move(cluster, owner, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            }

            List<Double> takeovers = new ArrayList<>();
            for (int i = 0; i < trials; i++) {
                String survivor = owner.equals("server1") ? "server2" : "server1";
                cluster.awaitAllUp(Duration.ofSeconds(120));
                awaitSettled(cluster, survivor, groups, Duration.ofSeconds(120));
                try (OnlineWatch watch = new OnlineWatch(cluster, survivor, groups)) {
                    long t0 = System.nanoTime();
                    watch.since(System.currentTimeMillis());
                    cluster.kill(owner);
                    await().atMost(LEASE.multipliedBy(10)).pollInterval(Duration.ofMillis(10)).until(watch::done);
                    takeovers.add((watch.doneAtNanos() - t0) / 1e6);
                }
                awaitAllOnline(cluster, survivor, groups, Duration.ofSeconds(30));
                cluster.start(owner);
                owner = survivor;
            }

            double lease = LEASE.toMillis();
            System.out.println();
            System.out.printf("Baton scale benchmark: %d groups, %d trials, lease %.0f ms, heartbeat %d ms, TLS %s, "
                    + "loopback, %d cores, Java %s%n", groups, trials, lease, HEARTBEAT.toMillis(), LocalCluster.TLS,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            FailoverBenchmark.row("all online after SIGKILL (ms)", takeovers);
            FailoverBenchmark.row("  − lease (ms)", takeovers.stream().map(t -> t - lease).toList());
            FailoverBenchmark.row("move of one group (ms)", moves);
            FailoverBenchmark.row("move − scripts (ms)", movesLessScripts);
        }
    }

    /**
     * Waits until {@code standby} reports every group inactive: a node just restarted first stops
     * whatever it may have left running, group by group, and the takeover is measured from a cluster
     * at rest, not one still busy with that.
     */
    private static void awaitSettled(LocalCluster cluster, String standby, int groups, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
            Optional<ClusterStatus> s = cluster.status();
            return s.isPresent() && s.get().getGroupsCount() == groups && s.get().getGroupsList().stream()
                    .allMatch(g -> g.getNodesList().stream().anyMatch(n -> n.getNode().equals(standby)
                            && n.getReport().getActivity() == ActivityProto.ACTIVITY_INACTIVE));
        });
    }

    /** Waits until every one of {@code groups} groups is ONLINE on {@code node}. */
    private static void awaitAllOnline(LocalCluster cluster, String node, int groups, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
            Optional<ClusterStatus> s = cluster.status();
            return s.isPresent() && s.get().getGroupsCount() == groups && s.get().getGroupsList().stream()
                    .allMatch(g -> g.getOwner().equals(node) && g.getPhase() == PhaseProto.PHASE_ONLINE);
        });
    }

    /**
     * The witness's event stream (it is never killed here), counting the groups whose {@code online}
     * event names {@code node} from a given wall time on: when the last one was received is when every
     * group was online on it in the committed state. Polling status instead (about 100 KB per answer
     * with 200 groups) loaded the machine the takeover runs on.
     */
    private static final class OnlineWatch implements AutoCloseable {
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final CountDownLatch streaming = new CountDownLatch(1);
        private final Context.CancellableContext context = Context.current().withCancellation();
        private final int groups;
        private volatile long sinceWallMs = Long.MAX_VALUE;
        private volatile long doneAtNanos;

        OnlineWatch(LocalCluster cluster, String node, int groups) throws InterruptedException {
            this.groups = groups;
            Thread t = new Thread(() -> context.run(() -> {
                try {
                    Iterator<Event> events = cluster.admin("witness").withDeadline(null)
                            .watch(WatchRequest.newBuilder().setFollow(true).setRecent(1).build());
                    while (events.hasNext()) {
                        Event e = events.next();
                        streaming.countDown();
                        if (e.getKind().equals("online") && e.getNode().equals(node) && !e.getGroup().isEmpty()
                                && e.getWallTimeMs() >= sinceWallMs && seen.add(e.getGroup()) && seen.size() == groups) {
                            doneAtNanos = System.nanoTime();
                        }
                    }
                } catch (StatusRuntimeException e) {
                    // cancelled by close()
                }
            }), "online-watch");
            t.setDaemon(true);
            t.start();
            if (!streaming.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no event stream from the witness within 10 s");
            }
        }

        void since(long wallMs) {
            sinceWallMs = wallMs;
        }

        boolean done() {
            return doneAtNanos != 0;
        }

        long doneAtNanos() {
            return doneAtNanos;
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }
}
