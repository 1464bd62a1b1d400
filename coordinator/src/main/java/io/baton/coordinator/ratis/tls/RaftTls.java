package io.baton.coordinator.ratis.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * What the Raft port's mutual TLS needs from the node: the key manager that presents its certificate,
 * the cluster's CA certificates (one, or two during a roll-over), and how a certificate names its node.
 * Both may change while the node runs (a renewed certificate, a CA roll-over): the TLS contexts are built
 * once, at start, but every handshake asks {@code keys} for the certificate and {@code trusted} for the
 * CAs, so connections made after a change use the new ones. The coordinator does not know the
 * certificate format: {@code nodeOf} is the node module's.
 *
 * @param keys    presents this node's certificate; asked at every handshake
 * @param trusted the CA certificates in use now; asked at every handshake
 * @param nodeOf  the node a certificate names, if any (empty for an operator's certificate)
 */
public record RaftTls(X509KeyManager keys, Supplier<List<X509Certificate>> trusted,
                      Function<X509Certificate, Optional<String>> nodeOf) {
    public RaftTls {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(nodeOf, "nodeOf");
        if (trusted.get().isEmpty()) {
            throw new IllegalArgumentException("the Raft port's TLS needs at least one CA certificate");
        }
    }

    /** TLS with a certificate and CAs that never change (tests, tools). */
    public static RaftTls fixed(PrivateKey key, X509Certificate certificate, List<X509Certificate> trusted,
                                Function<X509Certificate, Optional<String>> nodeOf) {
        List<X509Certificate> cas = List.copyOf(trusted);
        return new RaftTls(keyManager(key, certificate), () -> cas, nodeOf);
    }

    /**
     * Ratis's TLS settings for this node's server, its channels to the other servers and its own
     * clients, all mutual: this node presents its certificate, and a peer's certificate must pass
     * {@link PeerTrust}.
     *
     * @param membersByAddress each member's Raft address ({@link #address}) to its id
     */
    public GrpcTlsConfig grpc(Map<String, String> membersByAddress) {
        return new GrpcTlsConfig(keys, new PeerTrust(trusted, nodeOf, membersByAddress), true);
    }

    /** As above, with the members as they are at each handshake (the membership may change). */
    public GrpcTlsConfig grpc(java.util.function.Supplier<Map<String, String>> membersByAddress) {
        return new GrpcTlsConfig(keys, new PeerTrust(trusted, nodeOf, membersByAddress), true);
    }

    /** Never the key (settings get logged). */
    @Override
    public String toString() {
        return "RaftTls[" + trusted.get().size() + " CA certificate(s)]";
    }

    /** The key of an address in {@link #grpc}'s map: host without IPv6 brackets, lower case, and port. */
    public static String address(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static X509KeyManager keyManager(PrivateKey key, X509Certificate certificate) {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", key, password, new Certificate[] {certificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return (X509KeyManager) factory.getKeyManagers()[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the node's key and certificate for TLS: " + e.getMessage(), e);
        }
    }
}
