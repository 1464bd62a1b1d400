package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.MoveRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: every node serves /metrics, /healthz and /readyz on its HTTP port. A real 3-node cluster
 * (TLS by default) is scraped on every node; the owner, epoch and counter metrics follow a move and
 * a SIGKILL takeover; the text passes Prometheus's own checker ({@code promtool check metrics},
 * Debian package {@code prometheus}, installed by .ci/run). With TLS, /metrics needs a client
 * certificate and the health paths do not.
 */
class MetricsIT {
    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final Duration CHANGE = Duration.ofSeconds(60);
    static final String SUBNET = "127.0.86";
    static final List<String> NODES = List.of("server1", "server2", "witness");

    Path dir;
    LocalCluster cluster;
    HttpClient scraper;

    @BeforeEach
    void workDir() throws Exception {
        dir = RunDirs.fresh("metrics");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void metricsFollowAMoveAndATakeoverOnEveryNode() throws Exception {
        cluster = new LocalCluster(dir, SUBNET, HEARTBEAT, LEASE);
        if (cluster.tls()) {
            cluster.issueOperator("prometheus", io.baton.node.security.Role.VIEWER);
        }
        scraper = cluster.httpClient(cluster.tls() ? "prometheus" : null);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        cluster.awaitOnline("server1", STARTUP);

        for (String node : NODES) {
            await("metrics of " + node + ": web on server1 at epoch 1").atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> owner(scrape(node)).equals(Optional.of("server1"))
                            && value(scrape(node), "baton_group_epoch{group=\"web\"}") == 1);
        }
        String text = scrape("server1");
        assertEquals(1, value(text, "baton_group_phase{group=\"web\",phase=\"online\"}"), text);
        assertEquals(0, value(text, "baton_group_phase{group=\"web\",phase=\"offline\"}"), text);
        double lease = value(text, "baton_lease_remaining_seconds{group=\"web\"}");
        assertTrue(lease > 0 && lease <= LEASE.toSeconds(), "lease remaining " + lease);
        assertEquals(1, value(text, "baton_node_up{node=\"witness\"}"), text);
        assertEquals(1, value(text, "baton_raft_failures_tolerated"), text);
        assertEquals(1, value(text, "baton_status_from_leader"), text);
        assertEquals(1, NODES.stream().mapToDouble(n -> value(text, "baton_raft_leader{node=\"" + n + "\"}")).sum(), text);
        assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics too");
        assertTrue(!scrape("server2").contains("baton_lease_remaining_seconds{"), "only the owner has a lease on web");
        promtoolAccepts(text);

        // A move: every node's metrics show the new owner, the next epoch and one move.
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(200)).ignoreException(StatusRuntimeException.class)
                .until(() -> {
                    cluster.admin("server2").move(MoveRequest.newBuilder().setGroup(LocalCluster.GROUP).setTo("server2").build());
                    return true;
                });
        for (String node : NODES) {
            await("metrics of " + node + " after the move").atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        String t = scrape(node);
                        return owner(t).equals(Optional.of("server2")) && value(t, "baton_group_epoch{group=\"web\"}") == 2
                                && value(t, "baton_moves_total{group=\"web\"}") == 1
                                && value(t, "baton_takeovers_total{group=\"web\"}") == 0;
                    });
        }
        await().atMost(CHANGE).until(() -> value(scrape("server2"), "baton_probe_checks_total{group=\"web\"}") >= 0);

        // SIGKILL of the owner: the survivors' metrics show the takeover.
        cluster.kill("server2");
        for (String node : List.of("server1", "witness")) {
            await("metrics of " + node + " after the takeover").atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        String t = scrape(node);
                        return owner(t).equals(Optional.of("server1")) && value(t, "baton_group_epoch{group=\"web\"}") == 3
                                && value(t, "baton_takeovers_total{group=\"web\"}") == 1
                                && value(t, "baton_node_up{node=\"server2\"}") == 0;
                    });
        }
        String after = scrape("server1");
        assertEquals(0, value(after, "baton_raft_failures_tolerated"), "two of three voters left: DEGRADED\n" + after);
        promtoolAccepts(after);
    }

    @Test
    void healthPathsAreOpenAndMetricsNeedACertificateWithTls() throws Exception {
        cluster = new LocalCluster(dir, SUBNET, HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(STARTUP);
        HttpClient anonymous = cluster.httpClient(null);
        HttpResponse<String> health = get(anonymous, "witness", "/healthz");
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                .until(() -> get(anonymous, "witness", "/readyz").statusCode() == 200);
        assertTrue(get(anonymous, "witness", "/readyz").body().startsWith("ready: Raft leader "));
        assertEquals(404, get(anonymous, "witness", "/nothing").statusCode());
        HttpResponse<String> metrics = get(anonymous, "witness", "/metrics");
        if (cluster.tls()) {
            assertEquals(403, metrics.statusCode(), metrics.body());
            assertTrue(metrics.body().startsWith("permission denied: /metrics needs a client certificate"), metrics.body());
        } else {
            assertEquals(200, metrics.statusCode());
        }
        HttpResponse<String> post = anonymous.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl("witness") + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());

        // Both data nodes gone: the witness is up but in contact with no leader.
        cluster.kill("server1");
        cluster.kill("server2");
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
                .until(() -> get(anonymous, "witness", "/readyz").statusCode() == 503);
        assertEquals(200, get(anonymous, "witness", "/healthz").statusCode());
    }

    private HttpResponse<String> get(HttpClient client, String node, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl(node) + path)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String scrape(String node) throws IOException, InterruptedException {
        HttpResponse<String> r = get(scraper, node, "/metrics");
        if (r.statusCode() != 200) {
            throw new IOException(node + " /metrics: " + r.statusCode() + " " + r.body());
        }
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return r.body();
    }

    /** The node {@code baton_group_owner} says owns web, if exactly one. */
    static Optional<String> owner(String text) {
        List<String> owners = samples(text).entrySet().stream()
                .filter(e -> e.getKey().startsWith("baton_group_owner{group=\"web\"") && e.getValue() == 1)
                .map(e -> e.getKey().replaceAll(".*node=\"([^\"]*)\".*", "$1")).toList();
        return owners.size() == 1 ? Optional.of(owners.get(0)) : Optional.empty();
    }

    /** The value of the sample written exactly as {@code series}; NaN when absent. */
    static double value(String text, String series) {
        return samples(text).getOrDefault(series, Double.NaN);
    }

    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    /** Prometheus's own parser and linter must accept the text (skipped, saying so, without promtool). */
    private void promtoolAccepts(String text) throws Exception {
        Optional<Path> promtool = java.util.stream.Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool")
                .map(Path::of).filter(Files::isExecutable).findFirst();
        if (promtool.isEmpty()) {
            System.err.println("MetricsIT: promtool not installed (apt-get install prometheus): text format not checked by it");
            return;
        }
        Process p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }
}
