package io.baton.coordinator.ratis.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.tls.TestCertificates.Issued;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The client side of the Raft port's identity check, over a real TLS connection on 127.0.81.4: a node
 * that dials a member's Raft address accepts only that member's certificate, so a server holding another
 * member's (valid) certificate cannot stand in for it.
 */
class PeerTrustTest {
    private static final String HOST = "127.0.81.4";

    private final Issued ca = TestCertificates.ca("peer-trust-test CA");
    private final Issued server1 = TestCertificates.node(ca, "server1", HOST);
    private final Issued server2 = TestCertificates.node(ca, "server2", HOST);
    private final Issued witness = TestCertificates.node(ca, "witness", HOST);

    @Test
    void aServerPresentingAnotherMembersCertificateIsRefused() throws Exception {
        try (SSLServerSocket server = server(server2)) {
            String address = RaftTls.address(HOST, server.getLocalPort());
            PeerTrust trust = new PeerTrust(() -> List.of(ca.certificate()), TestCertificates::nodeOf,
                    Map.of(address, "server1"));
            SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> handshake(server, trust));
            assertTrue(String.valueOf(refused.getMessage()).contains(
                    address + " presented the certificate of node 'server2', not of 'server1'"), refused.toString());
        }
    }

    @Test
    void theServerDialledIsAccepted() throws Exception {
        try (SSLServerSocket server = server(server1)) {
            String address = RaftTls.address(HOST, server.getLocalPort());
            PeerTrust trust = new PeerTrust(() -> List.of(ca.certificate()), TestCertificates::nodeOf,
                    Map.of(address, "server1"));
            assertEquals("TLSv1.3", handshake(server, trust));
        }
    }

    @Test
    void aServerAtNoMembersAddressIsRefused() throws Exception {
        try (SSLServerSocket server = server(server1)) {
            PeerTrust trust = new PeerTrust(() -> List.of(ca.certificate()), TestCertificates::nodeOf,
                    Map.of(RaftTls.address(HOST, 1), "server1"));
            SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> handshake(server, trust));
            assertTrue(String.valueOf(refused.getMessage()).contains("is not the Raft address of any member"),
                    refused.toString());
        }
    }

    /** A TLS server on HOST presenting {@code own}, accepting one connection in the background. */
    private SSLServerSocket server(Issued own) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(own), trustManagers(), null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName(HOST));
        server.setNeedClientAuth(true);
        CompletableFuture.runAsync(() -> {
            try (SSLSocket accepted = (SSLSocket) server.accept()) {
                accepted.setSoTimeout(5000);
                accepted.startHandshake();
                accepted.getInputStream().read();
            } catch (IOException e) {
                // the client refused the server: expected in some tests
            }
        });
        return server;
    }

    /** Dials {@code server} as the witness would, with {@code trust}; the negotiated protocol. */
    private String handshake(SSLServerSocket server, PeerTrust trust) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(witness), new TrustManager[] {trust}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(HOST, server.getLocalPort()), (int) TimeUnit.SECONDS.toMillis(5));
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    private static KeyManager[] keyManagers(Issued own) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("k", own.key(), new char[0], new Certificate[] {own.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory.getKeyManagers();
    }

    private TrustManager[] trustManagers() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        return factory.getTrustManagers();
    }
}
