package io.baton.coordinator.ratis.tls;

import io.baton.coordinator.net.LogThrottle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.OpenSsl;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.OpenSslCertificateException;
import org.apache.ratis.thirdparty.io.netty.internal.tcnative.CertificateVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a Raft peer's certificate during the TLS handshake. First what any TLS peer must pass (the JDK's
 * PKIX checks: a chain to one of the cluster's CAs, valid now, the key usage of a client or a server,
 * and, on channels this node dials, the host name gRPC asks for); then Baton's identity:
 * <ul>
 *   <li>as server (someone connects): the certificate is a node certificate of a member
 *       ({@link PeerIdentity#acceptedProblem}); an operator's certificate is refused here, so Ratis's
 *       client and admin protocols are out of its reach;</li>
 *   <li>as client (this node dials a peer or its own client dials a server): the certificate names the
 *       member whose Raft address was dialled ({@link PeerIdentity#dialledProblem}).</li>
 * </ul>
 * A refusal fails the handshake; it is logged once a minute per certificate and problem.
 */
final class PeerTrust extends X509ExtendedTrustManager {
    private static final Logger log = LoggerFactory.getLogger(PeerTrust.class);

    private final Supplier<List<X509Certificate>> trusted;
    /** The JDK's checks for the CA certificates they were built for; rebuilt when those change. */
    private volatile Pkix pkix;
    private final Function<X509Certificate, Optional<String>> nodeOf;
    /** Each member's Raft address to its id, as the membership is now (a node added or removed changes it). */
    private final Supplier<Map<String, String>> membersByAddress;
    private final LogThrottle refusals = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 256);

    private record Pkix(List<X509Certificate> trusted, X509ExtendedTrustManager checks) {
        static Pkix of(List<X509Certificate> trusted) {
            List<X509Certificate> cas = List.copyOf(trusted);
            return new Pkix(cas, pkix(cas));
        }
    }

    PeerTrust(Supplier<List<X509Certificate>> trusted, Function<X509Certificate, Optional<String>> nodeOf,
              Map<String, String> membersByAddress) {
        this(trusted, nodeOf, constant(membersByAddress));
    }

    PeerTrust(Supplier<List<X509Certificate>> trusted, Function<X509Certificate, Optional<String>> nodeOf,
              Supplier<Map<String, String>> membersByAddress) {
        this.trusted = trusted;
        this.pkix = Pkix.of(trusted.get());
        this.nodeOf = nodeOf;
        this.membersByAddress = membersByAddress;
    }

    private static Supplier<Map<String, String>> constant(Map<String, String> membersByAddress) {
        Map<String, String> copy = Map.copyOf(membersByAddress);
        return () -> copy;
    }

    /** The JDK's checks against the CA certificates in use now (a reload may have changed them). */
    private X509ExtendedTrustManager pkix() {
        Pkix p = pkix;
        List<X509Certificate> now = trusted.get();
        if (!now.equals(p.trusted())) {
            p = Pkix.of(now);
            pkix = p;
        }
        return p.checks();
    }

    private static X509ExtendedTrustManager pkix(List<X509Certificate> trusted) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager m : factory.getTrustManagers()) {
                if (m instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("this JVM has no X509ExtendedTrustManager for PKIX");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot trust the cluster's CA certificates: " + e.getMessage(), e);
        }
    }

    // --- as server: a peer connected to this node's Raft port

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        refuseIfThrows("a connecting peer", chain, () -> pkix().checkClientTrusted(chain, authType, engine));
        accepted(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        refuseIfThrows("a connecting peer", chain, () -> pkix().checkClientTrusted(chain, authType, socket));
        accepted(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        refuseIfThrows("a connecting peer", chain, () -> pkix().checkClientTrusted(chain, authType));
        accepted(chain);
    }

    private void accepted(X509Certificate[] chain) throws CertificateException {
        X509Certificate leaf = chain[0];
        refuse("a connecting peer", PeerIdentity.acceptedProblem(nodeOf.apply(leaf), subject(leaf),
                Set.copyOf(membersByAddress.get().values())));
    }

    // --- as client: this node dialled a peer

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        String address = RaftTls.address(String.valueOf(engine.getPeerHost()), engine.getPeerPort());
        refuseIfThrows(address, chain, () -> pkix().checkServerTrusted(chain, authType, engine));
        dialled(chain, address);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        String address = socket.getRemoteSocketAddress() instanceof InetSocketAddress a
                ? RaftTls.address(a.getHostString(), a.getPort()) : String.valueOf(socket.getRemoteSocketAddress());
        refuseIfThrows(address, chain, () -> pkix().checkServerTrusted(chain, authType, socket));
        dialled(chain, address);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        // No connection to tell which member was dialled: never the case for gRPC's channels.
        refuse("a server", "cannot tell which node was dialled");
    }

    private void dialled(X509Certificate[] chain, String address) throws CertificateException {
        X509Certificate leaf = chain[0];
        refuse(address, PeerIdentity.dialledProblem(nodeOf.apply(leaf), subject(leaf),
                Optional.ofNullable(membersByAddress.get().get(address)), address));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix().getAcceptedIssuers();
    }

    // --- refusals

    private interface Check {
        void run() throws CertificateException;
    }

    private void refuseIfThrows(String who, X509Certificate[] chain, Check check) throws CertificateException {
        if (chain == null || chain.length == 0) {
            refuse(who, "presented no certificate");
        }
        try {
            check.run();
        } catch (CertificateException e) {
            String problem = "certificate " + subject(chain[0]) + " refused: " + e.getMessage();
            logRefusal(who, problem);
            throw e;
        }
    }

    private void refuse(String who, String problem) throws CertificateException {
        if (problem != null) {
            logRefusal(who, problem);
            throw rejected(problem);
        }
    }

    /**
     * With the OpenSSL engine Ratis uses, the peer gets a "bad certificate" alert rather than "internal
     * error". CertificateVerifier's constants come from the native library: only touch them once it is
     * loaded (a failed class initialisation would break every later TLS handshake of the JVM).
     */
    private static CertificateException rejected(String problem) {
        if (OpenSsl.isAvailable()) {
            return new OpenSslCertificateException(problem, CertificateVerifier.X509_V_ERR_CERT_REJECTED);
        }
        return new CertificateException(problem);
    }

    private void logRefusal(String who, String problem) {
        long held = refusals.occurrence(who + " " + problem, System.nanoTime());
        if (held >= 0) {
            log.warn("raft port: TLS refused {}: {}{}", who, problem,
                    held > 0 ? " (" + held + " more in the last minute)" : "");
        }
    }

    private static String subject(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName() + "'";
    }
}
