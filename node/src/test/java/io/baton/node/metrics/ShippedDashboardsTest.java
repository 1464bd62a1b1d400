package io.baton.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * config/grafana-dashboard.json and config/prometheus-alerts.yaml ask only for metrics a node serves
 * (a renamed metric would leave a panel empty and an alert silent, which nobody notices until it is
 * needed), and the rules pass Prometheus's own checks and their unit tests
 * (config/prometheus-alerts.test.yaml) when promtool is installed (.ci/run installs it).
 */
class ShippedDashboardsTest {
    static final Path CONFIG = Path.of("..", "config");
    static final Pattern METRIC = Pattern.compile("\\b(?:baton|jvm)_[a-z_]+\\b");

    /** Every metric family a node serves, by name as exposed (counters with _total). */
    static Set<String> served() throws Exception {
        NodeMetrics metrics = new NodeMetrics(ClusterMetricsTest::status,
                () -> ClusterMetricsTest.OWNER);
        String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        return text.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> asked(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    @Test
    void theDashboardAsksOnlyForServedMetrics() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(CONFIG.resolve("grafana-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dash.get("panels").forEach(p -> {
            if (p.has("targets")) {
                p.get("targets").forEach(t -> expressions.add(t.get("expr").asText()));
            }
        });
        assertTrue(expressions.size() >= 20, "panels with queries: " + expressions.size());
        Set<String> missing = asked(expressions);
        missing.removeAll(served());
        assertEquals(Set.of(), missing, "the dashboard queries metrics no node serves");
        assertTrue(asked(expressions).containsAll(Set.of("baton_group_owner", "baton_raft_failures_tolerated",
                "baton_mirror_replica_state", "baton_takeovers_total")));
    }

    @Test
    void theAlertRulesAskOnlyForServedMetrics() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(CONFIG.resolve("prometheus-alerts.yaml").toFile());
        List<String> expressions = new ArrayList<>();
        List<String> alerts = new ArrayList<>();
        rules.get("groups").forEach(g -> g.get("rules").forEach(r -> {
            expressions.add(r.get("expr").asText());
            alerts.add(r.get("alert").asText());
        }));
        assertTrue(alerts.containsAll(List.of("BatonReplicaNotUpToDate", "BatonRaftDegraded", "BatonGroupNotOnline",
                "BatonTakeover", "BatonProbeWait")), alerts.toString());
        Set<String> missing = asked(expressions);
        missing.removeAll(served());
        assertEquals(Set.of(), missing, "the alert rules query metrics no node serves");
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Optional<Path> promtool = java.util.stream.Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool")
                .map(Path::of).filter(Files::isExecutable).findFirst();
        if (promtool.isEmpty()) {
            System.err.println("ShippedDashboardsTest: promtool not installed (apt-get install prometheus): rules not checked by it");
            return;
        }
        for (List<String> args : List.of(List.of("check", "rules", "prometheus-alerts.yaml"),
                List.of("test", "rules", "prometheus-alerts.test.yaml"))) {
            List<String> cmd = new ArrayList<>(List.of(promtool.get().toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).directory(CONFIG.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
            assertFalse(out.contains("FAILED"), out);
        }
    }
}
