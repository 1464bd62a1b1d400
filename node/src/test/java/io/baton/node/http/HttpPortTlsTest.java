package io.baton.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.config.TlsConfig;
import io.baton.node.metrics.LocalView;
import io.baton.node.metrics.NodeMetrics;
import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.Issued;
import io.baton.node.security.KeyStores;
import io.baton.node.security.NodeTls;
import io.baton.node.security.PemFiles;
import io.baton.node.security.ReloadableCredentials;
import io.baton.node.security.Role;
import io.baton.proto.admin.ClusterStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port with the cluster's TLS, against what a scraper, a stranger or a hostile client
 * presents (issue 10 item 6, issue 11 item 1), with real certificates and a real HTTPS server on
 * loopback: the health paths answer anyone, /metrics only a certificate of the cluster's CA; a
 * certificate of another CA or an expired one fails the handshake; plaintext, random bytes and
 * handshakes left half done are closed, and the port still serves afterwards with its few threads.
 */
class HttpPortTlsTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.now();
    private final CertificateAuthority ca = CertificateAuthority.create("http-test", Duration.ofDays(10), now);
    private HttpPort port;

    @BeforeEach
    void start() throws Exception {
        PemFiles.write(dir, "ca", ca.ca());
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(1), now));
        ReloadableCredentials credentials = ReloadableCredentials.load(
                new TlsConfig.Files(dir.resolve("ca.crt"), dir.resolve("server1.crt"), dir.resolve("server1.key")), "server1", now);
        ClusterStatus status = ClusterStatus.newBuilder().setCluster("c").setLeader("witness").build();
        NodeMetrics metrics = new NodeMetrics(() -> status, () -> new LocalView("server1", Map.of(), Map.of()));
        port = HttpPort.start(new InetSocketAddress("127.0.0.1", 0), Optional.of(NodeTls.httpServer(credentials)), metrics,
                () -> new HttpPort.Readiness(true, "ready: Raft leader witness, term 1"));
    }

    @AfterEach
    void stop() {
        port.close();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port.address().getPort() + path);
    }

    private HttpClient client(Issued own) throws Exception {
        return client(own, false);
    }

    /** With {@code always}, the client presents {@code own} whatever CAs the server asks for. */
    private HttpClient client(Issued own, boolean always) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        javax.net.ssl.KeyManager[] keys = own == null ? null
                : always ? new javax.net.ssl.KeyManager[] {new Insistent(own)} : KeyStores.keyManagers(own);
        context.init(keys, KeyStores.trustManagers(List.of(ca.ca().certificate())), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** A client key manager that offers its one certificate to any server, as a hostile client would. */
    private static final class Insistent extends javax.net.ssl.X509ExtendedKeyManager {
        private final Issued own;

        Insistent(Issued own) {
            this.own = own;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return "own";
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return "own";
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"own"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return new java.security.cert.X509Certificate[] {own.certificate()};
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return own.key();
        }
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthPathsAnswerAnyoneAndMetricsOnlyACertificateOfTheClusterCa() throws Exception {
        HttpClient anonymous = client(null);
        assertEquals(200, get(anonymous, uri("/healthz")).statusCode());
        assertEquals("ready: Raft leader witness, term 1\n", get(anonymous, uri("/readyz")).body());
        HttpResponse<String> refused = get(anonymous, uri("/metrics"));
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().startsWith("permission denied: /metrics needs a client certificate"), refused.body());

        for (Issued scraper : List.of(ca.issueOperator("prometheus", Role.VIEWER, Duration.ofDays(1), now),
                ca.issueNode("server2", List.of("127.0.0.2"), Duration.ofDays(1), now))) {
            HttpResponse<String> ok = get(client(scraper), uri("/metrics"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().contains("baton_status_from_leader 1.0"), ok.body());
        }
    }

    @Test
    void anotherCasCertificateAndAnExpiredOneFailTheHandshake() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(10), now);
        Issued foreign = other.issueOperator("mallory", Role.ADMIN, Duration.ofDays(1), now);
        Issued expired = ca.issueOperator("old", Role.VIEWER, Duration.ofDays(1), now.minus(Duration.ofDays(3)));
        for (Issued bad : List.of(foreign, expired)) {
            HttpClient c = client(bad, true);
            assertThrows(IOException.class, () -> get(c, uri("/healthz")),
                    "a presented certificate that does not check out ends the handshake, whatever the path");
        }
        // A client left to choose does not send another CA's certificate at all: it is a stranger.
        assertEquals(403, get(client(foreign), uri("/metrics")).statusCode());
        assertEquals(200, get(client(null), uri("/healthz")).statusCode());
    }

    @Test
    void plaintextRandomBytesAndHalfDoneHandshakesLeaveThePortServing() throws Exception {
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        InetSocketAddress address = port.address();
        // Plaintext HTTP against HTTPS gets no HTTP answer.
        try (Socket s = new Socket()) {
            s.connect(address, 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = s.getInputStream().readNBytes(4);
            assertTrue(head.length < 4 || !new String(head, StandardCharsets.US_ASCII).startsWith("HTTP"),
                    "a plaintext request was answered in plaintext");
        } catch (IOException e) {
            // reset: refused too
        }
        Random random = new Random(11);
        byte[] junk = new byte[4096];
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket s = new Socket();
                held.add(s);
                s.connect(address, 2000);
                random.nextBytes(junk);
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(junk);
                    out.flush();
                } catch (IOException e) {
                    // reset already
                }
            }
            // Handshakes started and left: a ClientHello sent, nothing after it.
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, KeyStores.trustManagers(List.of(ca.ca().certificate())), null);
            for (int i = 0; i < 20; i++) {
                Socket raw = new Socket();
                held.add(raw);
                raw.connect(address, 2000);
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, "127.0.0.1", address.getPort(), false);
                tls.setSoTimeout(1);
                try {
                    tls.startHandshake(); // times out after sending the hello: left half done
                } catch (IOException e) {
                    // expected
                }
            }
            // While all of them are held open, the port answers.
            assertEquals(200, get(client(null), uri("/healthz")).statusCode());
            int threadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
            assertTrue(threadsDuring <= threadsBefore + 10, "threads " + threadsBefore + " -> " + threadsDuring);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertEquals(200, get(client(null), uri("/healthz")).statusCode());
    }

}
