package io.baton.resources.mirror.engine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Mutual TLS on the mirror link: both ends present a node certificate of the cluster's CA, TLS 1.3 only.
 * Trusting the CA is not enough: a primary must talk to the node it means to replicate to, and a replica
 * accepts writes only from a primary whose certificate names the node its HELLO claims to be. How a
 * certificate names its node is the caller's ({@code identityOf}); this class only asks.
 */
public final class MirrorTls {
    /** A handshake left half done is closed after this long. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 5_000;

    /**
     * OpenSSL (BoringSSL, shipped for Linux x86-64 and aarch64) where it loads: on the 2-core test
     * machine the JDK's TLS engine took the mirror's sequential throughput to about 0.6 of plaintext's
     * (docs/benchmarks.md); the JDK's engine elsewhere. Certificates and checks are the same with both.
     */
    static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private final SslContext server;
    private final SslContext client;
    private final Function<X509Certificate, Optional<String>> identityOf;

    /**
     * @param identityOf the node a certificate names, if any
     * @throws SSLException if the key and certificates cannot make a TLS context
     */
    public MirrorTls(PrivateKey key, X509Certificate cert, List<X509Certificate> trusted,
                     Function<X509Certificate, Optional<String>> identityOf) throws SSLException {
        X509Certificate[] ca = trusted.toArray(X509Certificate[]::new);
        this.server = SslContextBuilder.forServer(key, cert).trustManager(ca).clientAuth(ClientAuth.REQUIRE)
                .sslProvider(PROVIDER).protocols("TLSv1.3").build();
        this.client = SslContextBuilder.forClient().keyManager(key, cert).trustManager(ca).sslProvider(PROVIDER)
                .protocols("TLSv1.3").build();
        this.identityOf = identityOf;
    }

    /**
     * The same with key and trust managers that may change while the node runs (a renewed
     * certificate, a second CA): every new connection uses what they hold then.
     */
    public MirrorTls(KeyManager keys, TrustManager trust, Function<X509Certificate, Optional<String>> identityOf)
            throws SSLException {
        this.server = SslContextBuilder.forServer(keys).trustManager(trust).clientAuth(ClientAuth.REQUIRE)
                .sslProvider(PROVIDER).protocols("TLSv1.3").build();
        this.client = SslContextBuilder.forClient().keyManager(keys).trustManager(trust).sslProvider(PROVIDER)
                .protocols("TLSv1.3").build();
        this.identityOf = identityOf;
    }

    SslHandler serverHandler(ByteBufAllocator alloc) {
        SslHandler handler = server.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        return handler;
    }

    SslHandler clientHandler(ByteBufAllocator alloc, InetSocketAddress peer) {
        SslHandler handler = client.newHandler(alloc, peer.getHostString(), peer.getPort());
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        return handler;
    }

    /**
     * Null when the peer of a finished handshake presented the certificate of node {@code expected};
     * else what it presented instead, for a message.
     */
    String peerProblem(SslHandler handler, String expected) {
        try {
            Certificate[] chain = handler.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return "presented no certificate";
            }
            Optional<String> node = identityOf.apply(leaf);
            if (node.isEmpty()) {
                return "presented a certificate that names no node (" + leaf.getSubjectX500Principal().getName() + ")";
            }
            return node.get().equals(expected) ? null
                    : "presented the certificate of node '" + node.get() + "', not of '" + expected + "'";
        } catch (SSLPeerUnverifiedException e) {
            return "presented no verified certificate";
        }
    }
}
