package io.baton.resources.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpCheckTest {

    private static final String HOST = "127.0.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HttpServer server;
    private int port;
    private volatile int status = 200;
    private volatile String body = "status: ok\n";
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
        server.createContext("/healthz", this::answer);
        server.createContext("/endless", HttpCheckTest::endless);
        server.createContext("/stalled", this::stalled);
        server.createContext("/moved", ex -> {
            ex.getResponseHeaders().add("Location", "/healthz");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** "ok" first, then a body that never ends (until the client goes away). */
    private static void endless(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            out.write("ok\n".getBytes(StandardCharsets.UTF_8));
            byte[] filler = new byte[8192];
            while (true) {
                out.write(filler);
            }
        } catch (IOException expected) {
            // the check stopped reading and closed the connection
        }
    }

    /** Sends the head and the start of the body, then stalls until the test ends. */
    private void stalled(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(200, 100);
        OutputStream out = ex.getResponseBody();
        out.write("st".getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.close();
    }

    private HttpCheck check(Integer expectStatus, String expectBody) {
        return new HttpCheck(HOST, port, "/healthz", expectStatus, expectBody);
    }

    @Test
    void twoHundredIsHealthy() {
        HttpCheck c = check(null, null);
        assertEquals(CheckResult.ok(), c.check(TIMEOUT));
        assertEquals(CheckResult.ok(), c.check(TIMEOUT)); // the same client again
        status = 204;
        body = "";
        assertEquals(CheckResult.ok(), c.check(TIMEOUT), "any 2xx");
    }

    @Test
    void fiveOhThreeFails() {
        status = 503;
        assertEquals(CheckResult.failed("HTTP 503"), check(null, null).check(TIMEOUT));
    }

    @Test
    void expectedStatusMustMatchExactly() {
        status = 503;
        assertEquals(CheckResult.ok(), check(503, null).check(TIMEOUT));
        status = 200;
        assertEquals(CheckResult.failed("HTTP 200, expected 503"), check(503, null).check(TIMEOUT));
    }

    @Test
    void expectedBodyMustBePresent() {
        assertEquals(CheckResult.ok(), check(null, "ok").check(TIMEOUT));
        body = "status: degraded\n";
        assertEquals(CheckResult.failed("HTTP 200 but body lacks 'ok'"), check(null, "ok").check(TIMEOUT));
        status = 500;
        body = "ok";
        assertEquals(CheckResult.failed("HTTP 500"), check(null, "ok").check(TIMEOUT), "status first");
    }

    @Test
    void onlyTheStartOfTheBodyIsRead() {
        HttpCheck c = new HttpCheck(HOST, port, "/endless", null, "ok");
        assertEquals(CheckResult.ok(), c.check(TIMEOUT));
        body = "x".repeat(HttpCheck.MAX_BODY_BYTES) + "ok";
        assertEquals(CheckResult.failed("HTTP 200 but body lacks 'ok'"), check(null, "ok").check(TIMEOUT));
    }

    @Test
    void redirectsAreNotFollowed() {
        assertEquals(CheckResult.failed("HTTP 302"), new HttpCheck(HOST, port, "/moved", null, null).check(TIMEOUT));
        assertEquals(CheckResult.ok(), new HttpCheck(HOST, port, "/moved", 302, null).check(TIMEOUT));
    }

    @Test
    void refusedConnectionFails() throws IOException {
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress(HOST, 0)); // held, not listening: see TcpCheckTest
            HttpCheck c = new HttpCheck(HOST, bound.getLocalPort(), "/healthz", null, null);
            assertEquals(CheckResult.failed("connection refused"), c.check(TIMEOUT));
        }
    }

    /**
     * A server that accepts and never answers: each check fails after about the timeout, and closes
     * its connection, and repeating the check adds no threads.
     */
    @Test
    void silentServerFailsWithinTheTimeoutAndLeaksNothing() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        try (SilentServer silent = new SilentServer()) {
            HttpCheck c = new HttpCheck(HOST, silent.port(), "/healthz", null, null);
            int threadsAfterFirst = -1;
            for (int i = 0; i < 4; i++) {
                long t0 = System.nanoTime();
                CheckResult r = c.check(timeout);
                long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                assertEquals(CheckResult.failed("timed out after 500ms"), r);
                assertTrue(tookMs >= 400 && tookMs < timeout.toMillis() + 2000, "took " + tookMs + " ms");

                Socket accepted = silent.nextAccepted();
                assertTrue(silent.closedByPeer(accepted), "the check closed its connection");
                if (i == 0) {
                    threadsAfterFirst = clientThreads();
                }
            }
            // One spare for the callback pool; a client per check would add one selector thread per check.
            assertTrue(clientThreads() <= threadsAfterFirst + 1, clientThreads() + " > " + threadsAfterFirst + " + 1");
        }
    }

    /** The client's request timeout ends with the response head; the check's bound covers the body too. */
    @Test
    void stalledBodyFailsWithinTheTimeout() {
        HttpCheck c = new HttpCheck(HOST, port, "/stalled", null, "status");
        long t0 = System.nanoTime();
        CheckResult r = c.check(Duration.ofMillis(500));
        long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(CheckResult.failed("timed out after 500ms"), r);
        assertTrue(tookMs < 2500, "took " + tookMs + " ms");
    }

    @Test
    void describesTheUrl() {
        assertEquals("http://127.0.0.1:8080/healthz", new HttpCheck(HOST, 8080, "/healthz", null, null).describe());
        assertEquals("http://[::1]:8080/healthz", new HttpCheck("::1", 8080, "healthz", null, null).describe());
        assertEquals("http://[::1]:8080/", new HttpCheck("[::1]", 8080, null, null, null).describe());
        assertEquals("http://app.local:80/ready?deep=1", new HttpCheck("app.local", 80, "/ready?deep=1", null, null).describe());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HttpCheck(HOST, 0, "/", null, null));
        assertThrows(IllegalArgumentException.class, () -> new HttpCheck(HOST, 80, "/", 42, null));
        assertThrows(IllegalArgumentException.class, () -> new HttpCheck(HOST, 80, "/a b", null, null));
        assertThrows(IllegalArgumentException.class, () -> check(null, null).check(Duration.ofMillis(-1)));
    }

    /** Threads of HTTP clients and of the checks' callback pool. */
    private static int clientThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("HttpClient-") || n.startsWith("baton-http-check-"))
                .count();
    }

    /** Accepts connections and never answers. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST));
        private final LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        private final List<Socket> all = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::acceptLoop, "silent-server");

        SilentServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket s = socket.accept();
                    all.add(s);
                    accepted.add(s);
                }
            } catch (IOException closed) {
                // done
            }
        }

        Socket nextAccepted() throws InterruptedException {
            Socket s = accepted.poll(5, TimeUnit.SECONDS);
            assertFalse(s == null, "the check connected");
            return s;
        }

        /** Reads (and drops) the request until the peer closes; false if it did not within 5 s. */
        boolean closedByPeer(Socket s) throws IOException {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // the request
                }
                return true;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : all) {
                s.close();
            }
        }
    }
}
