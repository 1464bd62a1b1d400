package io.baton.node.security;

import io.baton.coordinator.ratis.tls.RaftTls;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.TlsConfig;
import io.baton.resources.mirror.replication.MirrorTls;
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
     * The Raft port's mutual TLS: a peer must present the node certificate of a member, and a server
     * this node dials the certificate of the member it dialled.
     */
    public RaftTls raft() {
        return new RaftTls(credentials.own().key(), credentials.own().certificate(), credentials.trusted(), NodeTls::nodeOf);
    }

    /** The node a certificate names ({@code baton:node:ID}), if any. */
    public static Optional<String> nodeOf(X509Certificate certificate) {
        List<String> uris = NodeCredentials.uris(certificate);
        return uris.stream().filter(u -> u.startsWith(NodeIdentity.URI_PREFIX))
                .map(u -> u.substring(NodeIdentity.URI_PREFIX.length())).findFirst();
    }
}
