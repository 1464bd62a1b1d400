package io.baton.node.security;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.TlsConfig;
import io.baton.resources.mirror.replication.MirrorTls;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's TLS, built once at start from the cluster file's {@code tls} block: the checked credentials
 * and, from them, each link's TLS settings. Absent when the cluster runs without TLS.
 */
public final class NodeTls {
    private static final Logger log = LoggerFactory.getLogger(NodeTls.class);

    private final NodeCredentials credentials;

    private NodeTls(NodeCredentials credentials) {
        this.credentials = credentials;
    }

    /**
     * This node's TLS, or empty without a {@code tls} block; certificates that expire soon are logged.
     *
     * @throws CertificateException one line naming the file and what is wrong with it
     */
    public static Optional<NodeTls> load(ClusterConfig config, String nodeId, Instant now) throws CertificateException {
        Optional<TlsConfig.Files> files = config.tlsFiles(nodeId);
        if (files.isEmpty()) {
            return Optional.empty();
        }
        NodeCredentials credentials = NodeCredentials.load(files.get(), nodeId, now);
        credentials.warnings(files.get(), now).forEach(w -> log.warn("{}", w));
        return Optional.of(new NodeTls(credentials));
    }

    public NodeCredentials credentials() {
        return credentials;
    }

    /** The mirror link's mutual TLS: the peer's certificate must name the node it is expected to be. */
    public MirrorTls mirror() throws CertificateException {
        try {
            return new MirrorTls(credentials.own().key(), credentials.own().certificate(), credentials.trusted(),
                    NodeTls::nodeOf);
        } catch (SSLException e) {
            throw new CertificateException("cannot use the node certificate for TLS: " + e.getMessage());
        }
    }

    /**
     * The admin port's TLS: the node's certificate, and a client certificate of the cluster's CA required
     * of every caller (TLS 1.3 and 1.2, for operators' older tools such as curl or grpcurl).
     */
    public ServerCredentials adminServer() {
        return TlsServerCredentials.newBuilder()
                .keyManager(KeyStores.keyManagers(credentials.own()))
                .trustManager(KeyStores.trustManagers(credentials.trusted()))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /** The node a certificate names ({@code baton:node:ID}), if any. */
    public static Optional<String> nodeOf(X509Certificate certificate) {
        List<String> uris = NodeCredentials.uris(certificate);
        return uris.stream().filter(u -> u.startsWith(NodeIdentity.URI_PREFIX))
                .map(u -> u.substring(NodeIdentity.URI_PREFIX.length())).findFirst();
    }
}
