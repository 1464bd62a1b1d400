package io.baton.it.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.it.lab.Lab.Host;
import io.baton.it.lab.LabEnv.Options;
import io.baton.it.lab.LabObserver.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Application monitor benchmark in the fault lab: from SIGKILL of nginx on the owner to the first
 * successful HTTP request through HAProxy, (a) restarted in place and (b) failed over, with the lab's
 * http monitor ({@code interval 1s, timeout 500ms, failures 2}); and, separately, the detection time
 * (kill to the first failed check in the owner's log, and to the {@code monitor-failed} event).
 * Not a test: it asserts nothing about speed and runs only when asked, with {@code bin/baton-bench
 * monitor [TRIALS]} (or {@code -Dbaton.bench=true}); {@code -Dbench.trials=N} (default 5) per mode.
 * It lives in the lab's package because the lab's classes are package-private.
 *
 * <p>(a) runs with {@code restart {max: 1000, within: 10m}} so that every kill is restarted in place;
 * (b) with {@code restart {max: 0}} so that every kill fails over at once, and {@code batonctl clear web}
 * between trials forgets the failure record the previous failover left (else the next one would have
 * nowhere to go).
 */
class MonitorBenchmark {
    static final Duration BOUND = Duration.ofSeconds(30);

    /** One trial's figures, in ms from the kill; NaN where a figure could not be read. */
    record Trial(double total, double outage, double firstFailedCheck, double monitorFailed, double action,
                 double probeOpen, double haproxyUp, double nginxStart) {}

    @AfterAll
    static void cleanUp() {
        Lab.closeAll();
    }

    @Test
    void killToFirstPage() throws Exception {
        assumeTrue(Boolean.getBoolean("baton.bench"), "benchmark: run with bin/baton-bench monitor");
        LabSupport.assumeLab();
        int trials = Integer.getInteger("bench.trials", 5);
        List<Trial> restart = run("bench-monitor-restart", Options.monitored().withRestart("{max: 1000, within: 10m}"),
                trials, false);
        List<Trial> failover = run("bench-monitor-failover", Options.monitored().withRestart("{max: 0, within: 10m}"),
                trials, true);

        long interval = Options.MONITOR_INTERVAL.toMillis();
        int failures = Options.MONITOR_FAILURES;
        System.out.println();
        System.out.printf(Locale.ROOT, "Baton monitor benchmark (fault lab): %d trials each, %d cores, %s, Java %s%n", trials,
                Runtime.getRuntime().availableProcessors(), kernel(), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "monitor: http GET / on nginx :80, interval %d ms, timeout 500 ms, failures %d;"
                + " heartbeat %d ms, lease %d ms%n", interval, failures, LabEnv.HEARTBEAT.toMillis(), LabEnv.LEASE.toMillis());
        System.out.printf(Locale.ROOT, "HAProxy: check port %d inter %d fall %d rise %d, timeout check %d ms (tcp mode)%n",
                LabEnv.PROBE_PORT, LabEnv.CHECK_INTER_MS, LabEnv.CHECK_FALL, LabEnv.CHECK_RISE, LabEnv.CHECK_INTER_MS);
        System.out.printf(Locale.ROOT, "targets: detection <= interval*failures + interval = %d ms; total <= 2500 ms + "
                + "nginx start + HAProxy rise (per trial)%n", interval * failures + interval);
        report("(a) local restart", restart, "restarted");
        report("(b) failover", failover, "failover");
    }

    private List<Trial> run(String name, Options options, int trials, boolean failover) throws Exception {
        Path dir = Path.of("target", "lab-runs", name).toAbsolutePath();
        List<Trial> out = new ArrayList<>();
        try (LabEnv env = LabEnv.start(dir, options)) {
            env.note("options: " + options.describe());
            String owner = "server1";
            for (int i = 0; i < trials; i++) {
                String target = failover ? other(owner) : owner;
                out.add(trial(env, owner, target, failover));
                if (failover) {
                    long w = System.currentTimeMillis();
                    LabEnv.CtlRun clear = env.batonctl("clear", "web");
                    if (clear.exit() != 0) {
                        throw new IllegalStateException("batonctl clear: " + clear.out());
                    }
                    await().atMost(BOUND).pollInterval(Duration.ofMillis(50))
                            .until(() -> env.observer.firstEvent("cleared", null, w).isPresent()
                                    && env.observer.policy().failedOn().isEmpty());
                }
                owner = target;
                System.out.printf(Locale.ROOT, "%s trial %d: %s%n", name, i + 1, out.get(out.size() - 1));
            }
            env.observer.close();
            env.assertNoViolations();
        }
        return out;
    }

    private static String other(String server) {
        return server.equals("server1") ? "server2" : "server1";
    }

    private static Trial trial(LabEnv env, String owner, String target, boolean failover) {
        env.awaitServing(owner, BOUND);
        // Two check intervals of steady service first: the monitor has checked a running nginx (the
        // first check of a fresh daemon is slow, docs/lab.md), and HAProxy has settled.
        env.awaitSteady(owner, Options.MONITOR_INTERVAL.multipliedBy(2));
        Host victim = Host.of(owner);
        int scriptLines = env.scriptLines().size();
        double before = LabObserver.now();
        long wBefore = System.currentTimeMillis();
        env.killNginx(victim);
        // Timed from when kill(1) returned: the signal was delivered by then (starting the kill process
        // took up to ~100 ms on the loaded machine; the observer may see the first failed request sooner).
        double t0 = LabObserver.now();
        long w0 = System.currentTimeMillis();
        String action = failover ? "failover" : "restarted";
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20))
                .until(() -> !Double.isNaN(env.observer.firstPageAfterGap(before)) && env.observer.servingFrom(target)
                        && env.observer.firstEvent(action, owner, wBefore).isPresent());
        double total = env.observer.firstPageAfterGap(before) - t0;
        double outage = env.observer.outageMs(before, LabObserver.now());
        Optional<Event> failed = env.observer.firstEvent("monitor-failed", owner, wBefore);
        Optional<Event> acted = env.observer.firstEvent(action, owner, wBefore);
        long killOfDay = LabEnv.timeOfDay(w0);
        double firstCheck = env.logTimesOfDay(owner, "check of nginx failed (1 in a row)").stream()
                .filter(t -> t >= killOfDay - 5).mapToDouble(t -> t - killOfDay).findFirst().orElse(Double.NaN);
        // The target's probe port opening for good: the last time the observer saw it open before that
        // first page (a restart closes the owner's port first, then opens it again).
        double page = env.observer.firstPageAfterGap(before);
        double probeOpen = env.observer.since(before, Set.of("probe")).stream()
                .filter(l -> l.t() <= page && l.get(target).equals("open")).mapToDouble(LabObserver.Line::t)
                .reduce((a, b) -> b).orElse(Double.NaN) - t0;
        double haproxyUp = env.observer.since(t0 + probeOpen, Set.of("haproxy")).stream()
                .filter(l -> l.get(target).equals("UP")).mapToDouble(LabObserver.Line::t).findFirst().orElse(Double.NaN) - t0;
        List<String> lines = env.scriptLines();
        double nginxStart = nginxStartMs(lines.subList(Math.min(scriptLines, lines.size()), lines.size()), target);
        return new Trial(total, outage, firstCheck, failed.map(e -> (double) (e.wallMs() - w0)).orElse(Double.NaN),
                acted.map(e -> (double) (e.wallMs() - w0)).orElse(Double.NaN), probeOpen, haproxyUp, nginxStart);
    }

    /** The run time of the target's start script that succeeded, from its "start" and "started" lines. */
    private static double nginxStartMs(List<String> lines, String node) {
        double start = Double.NaN;
        for (String l : lines) {
            String[] f = l.split(" ");
            if (f.length < 3 || !f[2].equals(node)) {
                continue;
            }
            if (f[1].equals("start")) {
                start = Double.parseDouble(f[0]);
            } else if (f[1].equals("started") && !Double.isNaN(start)) {
                return (Double.parseDouble(f[0]) - start) * 1000;
            }
        }
        return Double.NaN;
    }

    private static void report(String mode, List<Trial> trials, String action) {
        Map<String, List<Double>> cols = new LinkedHashMap<>();
        cols.put("kill -> first page through HAProxy", trials.stream().map(Trial::total).toList());
        cols.put("client-visible outage (last ok -> ok)", trials.stream().map(Trial::outage).toList());
        cols.put("detection: first failed check (log)", trials.stream().map(Trial::firstFailedCheck).toList());
        cols.put("detection: monitor-failed event", trials.stream().map(Trial::monitorFailed).toList());
        cols.put("'" + action + "' event", trials.stream().map(Trial::action).toList());
        cols.put("probe port open", trials.stream().map(Trial::probeOpen).toList());
        cols.put("HAProxy UP", trials.stream().map(Trial::haproxyUp).toList());
        cols.put("nginx start script (start -> pid file)", trials.stream().map(Trial::nginxStart).toList());
        System.out.println(mode + ", ms from the kill:");
        cols.forEach((name, v) -> System.out.printf(Locale.ROOT, "  %-42s p50 %7.0f  max %7.0f  (%s)%n", name, pct(v, 50),
                max(v), String.join(" ", v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList())));
        // HAProxy's rise: probe port open to UP (0 when the port was closed too briefly for HAProxy to take the server out).
        long met = trials.stream().filter(t -> t.total() <= 2500 + t.nginxStart()
                + (Double.isNaN(t.haproxyUp()) ? 0 : t.haproxyUp() - t.probeOpen())).count();
        long detected = trials.stream().filter(t -> t.monitorFailed() <= 3000).count();
        System.out.printf(Locale.ROOT, "  within target: detection %d/%d, total %d/%d%n", detected, trials.size(), met,
                trials.size());
    }

    static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static double max(List<Double> values) {
        return values.stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String kernel() {
        try {
            return "Linux " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (java.io.IOException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }
}
