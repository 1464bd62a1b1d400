package io.baton.node.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
    static final Instant NOW = Instant.parse("2026-12-05T00:00:00Z");
    static final Duration YEAR = Duration.ofDays(365);

    final CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(3650), Instant.now());

    @Test
    void theCaIsSelfSignedAndMaySignCertificates() throws Exception {
        X509Certificate c = ca.ca().certificate();
        c.verify(c.getPublicKey());
        assertEquals(0, c.getBasicConstraints(), "a CA that signs only end certificates");
        assertTrue(c.getKeyUsage()[5], "keyCertSign");
        assertEquals("EC", c.getPublicKey().getAlgorithm());
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertTrue(c.getSubjectX500Principal().getName().contains("CN=baton CA lab"));
    }

    @Test
    void aNodeCertificateNamesItsAddressesAndIdentity() throws Exception {
        X509Certificate c = ca.issueNode("server1", List.of("10.0.1.10", "server1.internal"), YEAR, NOW).certificate();
        c.verify(ca.ca().certificate().getPublicKey());
        Collection<List<?>> sans = c.getSubjectAlternativeNames();
        assertTrue(sans.contains(List.of(7, "10.0.1.10")), sans::toString);
        assertTrue(sans.contains(List.of(2, "server1.internal")), sans::toString);
        assertTrue(sans.contains(List.of(6, "baton:node:server1")), sans::toString);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage(), "server and client");
        assertEquals(-1, c.getBasicConstraints(), "not a CA");
        assertEquals(NOW.minus(CertificateAuthority.BACKDATE), c.getNotBefore().toInstant());
        assertEquals(NOW.plus(YEAR), c.getNotAfter().toInstant());
    }

    @Test
    void anOperatorCertificateCarriesItsRoleAndIsForClientsOnly() throws Exception {
        X509Certificate c = ca.issueOperator("alice", Role.VIEWER, YEAR, NOW).certificate();
        c.verify(ca.ca().certificate().getPublicKey());
        assertEquals(List.of(List.of(6, "baton:role:viewer")), List.copyOf(c.getSubjectAlternativeNames()));
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage());
        assertTrue(c.getSubjectX500Principal().getName().contains("CN=alice"));
    }

    @Test
    void anExpiredCertificateIsExpired() {
        X509Certificate c = ca.issueOperator("old", Role.ADMIN, Duration.ofDays(1), NOW.minus(Duration.ofDays(10))).certificate();
        assertThrows(CertificateExpiredException.class, c::checkValidity);
    }

    @Test
    void aCertificateNeverOutlivesItsCa() {
        Instant later = NOW.plus(Duration.ofDays(30));
        X509Certificate c = ca.issueNode("server1", List.of("10.0.1.10"), Duration.ofDays(100_000), later).certificate();
        assertEquals(ca.ca().certificate().getNotAfter(), c.getNotAfter());
        X509Certificate shorter = ca.issueOperator("alice", Role.VIEWER, Duration.ofDays(1), later).certificate();
        assertEquals(later.plus(Duration.ofDays(1)), shorter.getNotAfter().toInstant());
    }

    @Test
    void ipLiteralsAreRecognisedWithoutLookingAnythingUp() {
        assertTrue(CertificateAuthority.isIpLiteral("127.0.0.11"));
        assertTrue(CertificateAuthority.isIpLiteral("::1"));
        assertTrue(!CertificateAuthority.isIpLiteral("server1.internal"));
        assertTrue(!CertificateAuthority.isIpLiteral("localhost"));
    }

    /** A real TLS 1.3 handshake over loopback with client authentication, each side trusting only the CA. */
    @Test
    void nodeAndOperatorCertificatesCompleteAMutualTlsHandshake() throws Exception {
        Issued server = ca.issueNode("server1", List.of("127.0.0.1"), YEAR, Instant.now());
        Issued client = ca.issueOperator("alice", Role.OPERATOR, YEAR, Instant.now());
        assertEquals("alice", handshake(tls(server, ca.ca().certificate()), tls(client, ca.ca().certificate())));
    }

    @Test
    void aClientOfAnotherCaIsRefusedInTheHandshake() {
        CertificateAuthority other = CertificateAuthority.create("other", YEAR, Instant.now());
        Issued server = ca.issueNode("server1", List.of("127.0.0.1"), YEAR, Instant.now());
        Issued stranger = other.issueOperator("mallory", Role.ADMIN, YEAR, Instant.now());
        assertThrows(javax.net.ssl.SSLException.class, () -> handshake(tls(server, ca.ca().certificate()),
                tls(stranger, ca.ca().certificate())));
    }

    private static SSLContext tls(Issued own, X509Certificate trusted) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("own", own.key(), new char[0], new X509Certificate[] {own.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** The client's common name as the server saw it. */
    private static String handshake(SSLContext server, SSLContext client) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            listener.setSoTimeout(10_000);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    InputStream in = s.getInputStream();
                    in.read();
                    X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    s.getOutputStream().write(1);
                    return peer.getSubjectX500Principal().getName().replaceAll(".*CN=([^,]+).*", "$1");
                } catch (Exception e) {
                    return "server: " + e;
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                out.write(1);
                out.flush();
                if (s.getInputStream().read() < 0) {
                    throw new SSLHandshakeException("the server closed the connection: " + seen.get(10, TimeUnit.SECONDS));
                }
            } catch (java.net.SocketException e) {
                throw new SSLHandshakeException("refused: " + e.getMessage() + "; " + seen.get(10, TimeUnit.SECONDS));
            }
            return seen.get(10, TimeUnit.SECONDS);
        }
    }
}
