package io.baton.node.security;

import io.baton.coordinator.ratis.tls.RaftTls;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.TlsConfig;
import io.baton.resources.mirror.engine.MirrorTls;
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

    /** How often the files are looked at for a change (a renewed certificate); SIGHUP looks at once. */
    public static final java.time.Duration RELOAD_EVERY = java.time.Duration.ofSeconds(10);

    private final ReloadableCredentials credentials;
    private java.util.concurrent.ScheduledExecutorService reloader;

    private NodeTls(ReloadableCredentials credentials) {
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
        ReloadableCredentials credentials = ReloadableCredentials.load(files.get(), nodeId, now);
        credentials.current().warnings(files.get(), now).forEach(w -> log.warn("{}", w));
        return Optional.of(new NodeTls(credentials));
    }

    public NodeCredentials credentials() {
        return credentials.current();
    }

    /** The key and trust managers every link shares: they change when the files do. */
    public ReloadableCredentials reloadable() {
        return credentials;
    }

    /**
     * Looks at the files every {@link #RELOAD_EVERY} and at SIGHUP, and uses new ones that pass the
     * start-up checks for every connection made from then on; refused files are one line, and the
     * certificate in use stays.
     */
    public synchronized void startReloading() {
        if (reloader != null) {
            return;
        }
        reloader = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-tls-reload");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(() -> reload(false), RELOAD_EVERY.toMillis(), RELOAD_EVERY.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloader.execute(() -> reload(true)));
        } catch (IllegalArgumentException e) {
            log.warn("TLS: SIGHUP cannot be handled here ({}); certificate files are still looked at every {} s",
                    e.getMessage(), RELOAD_EVERY.toSeconds());
        }
    }

    /** Reads the files again if they changed (always with {@code force}) and logs what it did. */
    public ReloadableCredentials.Reload reload(boolean force) {
        try {
            ReloadableCredentials.Reload r = credentials.reload(Instant.now(), force);
            switch (r.outcome()) {
                case RELOADED -> {
                    log.info("{}", r.message());
                    credentials.current().warnings(credentials.files(), Instant.now()).forEach(w -> log.warn("{}", w));
                }
                case REFUSED -> log.warn("{}", r.message());
                default -> { }
            }
            return r;
        } catch (RuntimeException e) {
            log.warn("TLS: reloading the certificate files failed: {}", e.toString());
            return new ReloadableCredentials.Reload(ReloadableCredentials.Outcome.REFUSED, e.toString());
        }
    }

    public synchronized void close() {
        if (reloader != null) {
            reloader.shutdownNow();
            reloader = null;
        }
    }

    /** The mirror link's mutual TLS: the peer's certificate must name the node it is expected to be. */
    public MirrorTls mirror() throws CertificateException {
        try {
            return new MirrorTls(credentials.keyManager(), credentials.trustManager(), NodeTls::nodeOf);
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
                .keyManager(credentials.keyManager())
                .trustManager(credentials.trustManager())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /**
     * The HTTP port's TLS: the node's certificate; a client certificate of the cluster's CA asked for
     * and checked when given (the HTTP port decides per path whether one is needed).
     */
    public io.netty.handler.ssl.SslContext httpServer() throws CertificateException {
        return httpServer(credentials);
    }

    /** {@link #httpServer()} for these credentials (their key and CAs as in use at each handshake). */
    public static io.netty.handler.ssl.SslContext httpServer(ReloadableCredentials credentials) throws CertificateException {
        try {
            return io.netty.handler.ssl.SslContextBuilder.forServer(credentials.keyManager())
                    .trustManager(credentials.trustManager())
                    .clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new CertificateException("cannot use the node certificate for HTTPS: " + e.getMessage());
        }
    }

    /**
     * The Raft port's mutual TLS: a peer must present the node certificate of a member, and a server
     * this node dials the certificate of the member it dialled. Like the other links it uses the
     * certificate and CAs in use at each handshake, so a reload reaches it too.
     */
    public RaftTls raft() {
        return new RaftTls(credentials.keyManager(), () -> credentials.current().trusted(), NodeTls::nodeOf);
    }

    /** The node a certificate names ({@code baton:node:ID}), if any. */
    public static Optional<String> nodeOf(X509Certificate certificate) {
        List<String> uris = NodeCredentials.uris(certificate);
        return uris.stream().filter(u -> u.startsWith(NodeIdentity.URI_PREFIX))
                .map(u -> u.substring(NodeIdentity.URI_PREFIX.length())).findFirst();
    }
}
