package io.baton.node.alerts;

import io.baton.node.config.AlertConfig;
import io.baton.proto.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The two ways an alert leaves the node: an exec command ({@code /bin/sh -c}, the event in
 * BATON_EVENT_* variables and as JSON on stdin; exit 0 means taken) and a webhook (an HTTP POST of
 * the JSON; a 2xx answer means taken). Each is bounded by the alert's timeout; a command that
 * overruns it is killed.
 */
public final class AlertSenders implements AlertDispatcher.Sender {
    private final String cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public AlertSenders(String cluster) {
        this.cluster = cluster;
    }

    @Override
    public boolean send(AlertConfig alert, Event event) throws Exception {
        return alert.type() == AlertConfig.Type.EXEC ? exec(alert, event) : webhook(alert, event);
    }

    private boolean exec(AlertConfig alert, Event event) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder("/bin/sh", "-c", alert.command())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(AlertPayload.env(cluster, event));
        Process p = b.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(AlertPayload.json(cluster, event).getBytes(StandardCharsets.UTF_8));
            in.write('\n');
        } catch (IOException e) {
            // the command does not read its stdin: it has the variables
        }
        if (!p.waitFor(alert.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("timed out after " + alert.timeout().toMillis() + " ms");
        }
        if (p.exitValue() != 0) {
            throw new IOException("exit status " + p.exitValue());
        }
        return true;
    }

    private boolean webhook(AlertConfig alert, Event event) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(alert.url()).timeout(alert.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "baton-alerts")
                .POST(HttpRequest.BodyPublishers.ofString(AlertPayload.json(cluster, event))).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return true;
    }
}
