package io.baton.resources.monitor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Healthy when {@code GET http://host:port/path} answers 2xx (or exactly {@code expectStatus} when
 * given) within the timeout, and, when {@code expectBody} is given, the first
 * {@value #MAX_BODY_BYTES} bytes of the body contain it.
 *
 * <p>Uses the JDK's {@link HttpClient}: HTTP/1.1, no redirects followed (a 302 is an answer, and not
 * 2xx), no proxy (the application is on this node). One client per check, kept across checks, so
 * repeated checks reuse its selector thread and keep-alive connection instead of leaking a client
 * each time; its callbacks run on a shared pool of daemon threads, so checks never keep the JVM up.
 *
 * <p>The whole exchange, connecting, the response head and the body, is bounded by the timeout:
 * the client's connect and request timeouts are set to it, and the caller waits no longer than it
 * for the complete response, cancelling the exchange (which closes its connection) otherwise, since
 * the client's request timeout alone does not cover reading the body.
 */
public final class HttpCheck implements HealthCheck {

    /** How much of the body is read to look for {@code expectBody}. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final ExecutorService CALLBACKS = Executors.newCachedThreadPool(new DaemonThreads());

    private final URI uri;
    private final Integer expectStatus;
    private final String expectBody;

    private HttpClient client;
    private Duration clientTimeout;

    /**
     * @param host         a name or address literal; an IPv6 literal with or without brackets
     * @param path         the request path, with a query if any; "/" when null or empty
     * @param expectStatus the one status that counts as healthy; null for any 2xx
     * @param expectBody   text the body must contain; null for no body check
     */
    public HttpCheck(String host, int port, String path, Integer expectStatus, String expectBody) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("http check needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (expectStatus != null && (expectStatus < 100 || expectStatus > 599)) {
            throw new IllegalArgumentException("expected status out of range: " + expectStatus);
        }
        String p = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
        this.uri = URI.create("http://" + TcpCheck.hostPort(host, port) + p); // IllegalArgumentException if malformed
        this.expectStatus = expectStatus;
        this.expectBody = expectBody;
    }

    @Override
    public CheckResult check(Duration timeout) {
        Timeouts.requirePositive(timeout);
        CompletableFuture<HttpResponse<String>> response = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(timeout)
                    .header("User-Agent", "baton-monitor")
                    .build();
            response = client(timeout).sendAsync(request, info -> new BodyPrefix(MAX_BODY_BYTES));
            HttpResponse<String> r = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return judge(r.statusCode(), r.body());
        } catch (TimeoutException e) {
            return CheckResult.failed(Timeouts.timedOut(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = Reasons.unwrap(e);
            if (cause instanceof HttpConnectTimeoutException) {
                return CheckResult.failed("connect " + Timeouts.timedOut(timeout));
            }
            if (cause instanceof HttpTimeoutException) {
                return CheckResult.failed(Timeouts.timedOut(timeout));
            }
            return CheckResult.failed(Reasons.of(cause));
        } catch (Exception e) {
            return CheckResult.failed(Reasons.of(e));
        } finally {
            if (response != null) {
                response.cancel(true); // no-op once complete; otherwise aborts the exchange and its connection
            }
        }
    }

    private CheckResult judge(int status, String body) {
        if (expectStatus == null ? status / 100 != 2 : status != expectStatus) {
            return CheckResult.failed("HTTP " + status + (expectStatus == null ? "" : ", expected " + expectStatus));
        }
        if (expectBody != null && !body.contains(expectBody)) {
            return CheckResult.failed("HTTP " + status + " but body lacks '" + expectBody + "'");
        }
        return CheckResult.ok();
    }

    @Override
    public void prepare(Duration timeout) {
        client(timeout);
    }

    /** The check's client, built again only if the timeout changes (the connect timeout is the client's). */
    private synchronized HttpClient client(Duration timeout) {
        if (client == null || !timeout.equals(clientTimeout)) {
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(timeout)
                    .executor(CALLBACKS)
                    .build();
            clientTimeout = timeout;
        }
        return client;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public String toString() {
        return "HttpCheck[" + describe() + "]";
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "baton-http-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
