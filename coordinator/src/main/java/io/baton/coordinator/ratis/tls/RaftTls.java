package io.baton.coordinator.ratis.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * What the Raft port's mutual TLS needs from the node: its key and certificate, the cluster's CA
 * certificates (one, or two during a roll-over), and how a certificate names its node. The coordinator
 * does not know the certificate format: {@code nodeOf} is the node module's.
 *
 * @param nodeOf the node a certificate names, if any (empty for an operator's certificate)
 */
public record RaftTls(PrivateKey key, X509Certificate certificate, List<X509Certificate> trusted,
                      Function<X509Certificate, Optional<String>> nodeOf) {
    public RaftTls {
        trusted = List.copyOf(trusted);
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("the Raft port's TLS needs at least one CA certificate");
        }
    }

    /**
     * Ratis's TLS settings for this node's server, its channels to the other servers and its own
     * clients, all mutual: this node presents its certificate, and a peer's certificate must pass
     * {@link PeerTrust}.
     *
     * @param membersByAddress each member's Raft address ({@link #address}) to its id
     */
    public GrpcTlsConfig grpc(Map<String, String> membersByAddress) {
        return new GrpcTlsConfig(keyManager(), new PeerTrust(trusted, nodeOf, membersByAddress), true);
    }

    /** Names the certificate, never the key (settings get logged). */
    @Override
    public String toString() {
        return "RaftTls[" + certificate.getSubjectX500Principal().getName() + ", " + trusted.size() + " CA certificate(s)]";
    }

    /** The key of an address in {@link #grpc}'s map: host without IPv6 brackets, lower case, and port. */
    public static String address(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private KeyManager keyManager() {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", key, password, new Certificate[] {certificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers()[0];
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use the node's key and certificate for TLS: " + e.getMessage(), e);
        }
    }
}
