package io.baton.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.baton.node.metrics.NodeMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP port, on the JDK's own HTTP server (no web framework in the node's classpath).
 * A few threads serve it: every answer is computed from what the node has at hand (the status is
 * cached, one leader query per heartbeat interval), so a flood of requests costs CPU, not threads.
 */
public final class HttpPort implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpPort.class);
    private static final int THREADS = 4;

    /** Whether the node is in contact with a Raft leader, and a line that says so or why not. */
    public record Readiness(boolean ready, String line) {}

    private final HttpServer server;
    private final ExecutorService threads;
    private final boolean tls;
    private final NodeMetrics metrics;
    private final Supplier<Readiness> readiness;

    private HttpPort(HttpServer server, ExecutorService threads, boolean tls, NodeMetrics metrics,
                     Supplier<Readiness> readiness) {
        this.server = server;
        this.threads = threads;
        this.tls = tls;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    /**
     * Binds {@code address} (HTTPS with {@code tls}: the node's certificate, client certificates of
     * the cluster CA asked for and checked when given) and starts serving.
     */
    public static HttpPort start(InetSocketAddress address, Optional<SSLContext> tls, NodeMetrics metrics,
                                 Supplier<Readiness> readiness) throws IOException {
        limitSlowClients();
        HttpServer server;
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(address, 64);
            SSLContext context = tls.get();
            https.setHttpsConfigurator(new HttpsConfigurator(context) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = context.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    p.setWantClientAuth(true);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(address, 64);
        }
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "baton-http");
            t.setDaemon(true);
            return t;
        });
        HttpPort port = new HttpPort(server, threads, tls.isPresent(), metrics, readiness);
        server.createContext("/", port::handle);
        server.setExecutor(threads);
        server.start();
        return port;
    }

    /**
     * The JDK server drops a request that takes longer than this to arrive or to be answered (its
     * defaults wait forever). Read once, when the JDK's server class loads: set before the first server.
     */
    private static void limitSlowClients() {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "10");
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", "30");
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            HttpRoutes.Route route = HttpRoutes.route(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    tls, hasClientCertificate(exchange));
            switch (route) {
                case HEALTH -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
                case READY -> {
                    Readiness r = readiness.get();
                    send(exchange, r.ready() ? 200 : 503, "text/plain; charset=utf-8", r.line() + "\n");
                }
                case METRICS -> {
                    byte[] body;
                    try {
                        body = metrics.scrape();
                    } catch (RuntimeException e) {
                        send(exchange, 503, "text/plain; charset=utf-8", "metrics unavailable: " + e + "\n");
                        return;
                    }
                    send(exchange, 200, NodeMetrics.CONTENT_TYPE, body);
                }
                case CERTIFICATE_REQUIRED -> send(exchange, 403, "text/plain; charset=utf-8",
                        "permission denied: /metrics needs a client certificate of this cluster's CA"
                                + " (batonctl certs issue --name prometheus --role viewer)\n");
                case METHOD_NOT_ALLOWED -> {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
                }
                default -> send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics, /healthz or /readyz\n");
            }
        } catch (IOException | RuntimeException e) {
            // A client that went away, or a failure computing an answer: never the node's problem.
            log.debug("http {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    private static boolean hasClientCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return false;
        }
        try {
            // Given only if it chains to the cluster CA: the handshake's trust manager checked it.
            return https.getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        send(exchange, code, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int code, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(code, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
