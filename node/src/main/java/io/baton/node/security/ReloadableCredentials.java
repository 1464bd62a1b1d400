package io.baton.node.security;

import io.baton.node.config.TlsConfig;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node's certificate, key and CA bundle as the links' TLS uses them, replaceable while the node runs:
 * every link's key and trust manager is one of these two, so a new certificate (or a second CA during a
 * roll-over) is used by every connection made after {@link #reload}. Connections already open keep
 * theirs. The new files are checked exactly as at start ({@link NodeCredentials#load}); files that fail
 * the check are refused and the current ones stay in use.
 */
public final class ReloadableCredentials {
    /** What a {@link #reload} did. */
    public record Reload(Outcome outcome, String message) {
    }

    public enum Outcome { UNCHANGED, RELOADED, REFUSED }

    private final TlsConfig.Files files;
    private final String nodeId;
    private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    private final AdvancedTlsX509TrustManager trust;
    private volatile NodeCredentials current;
    /**
     * When the credentials in use expire, worked out once per reload rather than on every heartbeat:
     * finding the issuing CA verifies a signature.
     */
    private volatile CertificateExpiry expiry = CertificateExpiry.NONE;
    /** The files' sizes and modification times when last read (in use or refused): a change means read again. */
    private List<String> stamp;

    private ReloadableCredentials(TlsConfig.Files files, String nodeId) throws CertificateException {
        this.files = files;
        this.nodeId = nodeId;
        try {
            this.trust = AdvancedTlsX509TrustManager.newBuilder()
                    // The chain only: who the peer is, each link checks itself (a node's or a role's URI).
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
        } catch (java.security.cert.CertificateException e) {
            throw new CertificateException("cannot set up certificate checks: " + e.getMessage());
        }
    }

    /** The credentials in {@code files}, checked; one line naming the file if they fail the check. */
    public static ReloadableCredentials load(TlsConfig.Files files, String nodeId, Instant now) throws CertificateException {
        ReloadableCredentials c = new ReloadableCredentials(files, nodeId);
        List<String> stamp = c.stamp();
        c.use(NodeCredentials.load(files, nodeId, now));
        c.stamp = stamp;
        return c;
    }

    public javax.net.ssl.X509ExtendedKeyManager keyManager() {
        return keys;
    }

    public javax.net.ssl.X509ExtendedTrustManager trustManager() {
        return trust;
    }

    public NodeCredentials current() {
        return current;
    }

    /** {@link NodeCredentials#expiry()} of the credentials in use. */
    public CertificateExpiry expiry() {
        return expiry;
    }

    public TlsConfig.Files files() {
        return files;
    }

    /**
     * Reads the files again if they changed since the last read (or always, with {@code force}: SIGHUP),
     * and uses them if they pass the checks.
     */
    public synchronized Reload reload(Instant now, boolean force) {
        List<String> seen = stamp();
        if (!force && seen.equals(stamp)) {
            return new Reload(Outcome.UNCHANGED, "");
        }
        stamp = seen;
        NodeCredentials fresh;
        try {
            fresh = NodeCredentials.load(files, nodeId, now);
        } catch (CertificateException e) {
            return new Reload(Outcome.REFUSED, "TLS: kept the certificate in use; the new files fail the check: " + e.getMessage());
        }
        if (fresh.own().certificate().equals(current.own().certificate()) && fresh.trusted().equals(current.trusted())) {
            return new Reload(Outcome.UNCHANGED, "");
        }
        use(fresh);
        X509Certificate cert = fresh.own().certificate();
        return new Reload(Outcome.RELOADED, "TLS: new connections use " + files.cert() + " (serial "
                + cert.getSerialNumber().toString(16) + ", valid until " + cert.getNotAfter().toInstant() + ") and "
                + fresh.trusted().size() + " CA certificate" + (fresh.trusted().size() == 1 ? "" : "s") + " of " + files.ca());
    }

    private void use(NodeCredentials c) {
        try {
            trust.updateTrustCredentials(c.trusted().toArray(X509Certificate[]::new));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot use a checked CA bundle: " + e.getMessage(), e);
        }
        keys.updateIdentityCredentials(new X509Certificate[] {c.own().certificate()}, c.own().key());
        expiry = c.expiry();
        current = c;
    }

    private List<String> stamp() {
        List<String> s = new ArrayList<>();
        for (Path p : List.of(files.ca(), files.cert(), files.key())) {
            try {
                s.add(p + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
            } catch (IOException e) {
                s.add(p + " unreadable " + Objects.toString(e.getMessage()));
            }
        }
        return s;
    }
}
