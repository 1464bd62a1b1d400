package io.baton.node.security;

import io.baton.node.config.TlsConfig;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A node's TLS material, checked before the node starts: the CA bundle (one CA, or two during a
 * roll-over), and the node's own certificate and key, which must belong together, be signed by a CA of
 * the bundle, be valid now and name this node ({@code baton:node:ID}). Each refusal is one line naming
 * the file and what is wrong with it.
 */
public record NodeCredentials(List<X509Certificate> trusted, Issued own) {
    /** A certificate that expires sooner than this is a warning. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(30);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    public NodeCredentials {
        trusted = List.copyOf(trusted);
    }

    public static NodeCredentials load(TlsConfig.Files files, String nodeId, Instant now) throws CertificateException {
        NodeCredentials checked = loadAnyIdentity(files, now);
        String identity = identityProblem(checked.own().certificate(), nodeId);
        if (identity != null) {
            throw new CertificateException(files.cert() + ": " + identity);
        }
        return checked;
    }

    /**
     * The same checks but the identity: for a client such as batonctl, whose certificate may be an
     * operator's or a node's.
     */
    public static NodeCredentials loadAnyIdentity(TlsConfig.Files files, Instant now) throws CertificateException {
        List<X509Certificate> trusted = PemFiles.readCertificates(files.ca());
        for (X509Certificate ca : trusted) {
            if (ca.getBasicConstraints() < 0) {
                throw new CertificateException(files.ca() + ": holds " + subject(ca) + ", which is not a CA certificate");
            }
            checkValidity(files.ca(), ca, now);
        }
        Issued own = PemFiles.read(files.cert(), files.key());
        X509Certificate cert = own.certificate();
        if (trusted.stream().noneMatch(ca -> signs(ca, cert))) {
            throw new CertificateException(files.cert() + ": not signed by the cluster's CA in " + files.ca()
                    + " (issued by " + cert.getIssuerX500Principal().getName() + ")");
        }
        checkValidity(files.cert(), cert, now);
        return new NodeCredentials(trusted, own);
    }

    /** When the own certificate and the CA certificate that issued it expire (0 for a CA not in the bundle). */
    public CertificateExpiry expiry() {
        X509Certificate cert = own.certificate();
        long ca = trusted.stream().filter(c -> signs(c, cert)).mapToLong(c -> c.getNotAfter().getTime()).min().orElse(0);
        return new CertificateExpiry(cert.getNotAfter().getTime(), ca);
    }

    /** Warnings for an operator: certificates that expire within {@link #EXPIRY_WARNING}. */
    public List<String> warnings(TlsConfig.Files files, Instant now) {
        List<String> warnings = new ArrayList<>();
        expiring(files.cert(), own.certificate(), now).ifPresent(warnings::add);
        trusted.forEach(ca -> expiring(files.ca(), ca, now).ifPresent(warnings::add));
        return warnings;
    }

    private static Optional<String> expiring(java.nio.file.Path file, X509Certificate c, Instant now) {
        Instant end = c.getNotAfter().toInstant();
        if (end.isAfter(now.plus(EXPIRY_WARNING))) {
            return Optional.empty();
        }
        long days = Duration.between(now, end).toDays();
        return Optional.of(file + ": " + subject(c) + " expires in " + days + " day" + (days == 1 ? "" : "s")
                + " (" + TIME.format(end) + "): issue a new one");
    }

    private static void checkValidity(java.nio.file.Path file, X509Certificate c, Instant now) throws CertificateException {
        if (now.isBefore(c.getNotBefore().toInstant())) {
            throw new CertificateException(file + ": " + subject(c) + " is not valid before "
                    + TIME.format(c.getNotBefore().toInstant()) + " (is this host's clock right?)");
        }
        if (now.isAfter(c.getNotAfter().toInstant())) {
            throw new CertificateException(file + ": " + subject(c) + " expired on " + TIME.format(c.getNotAfter().toInstant()));
        }
    }

    private static boolean signs(X509Certificate ca, X509Certificate cert) {
        try {
            cert.verify(ca.getPublicKey());
            return ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Null when {@code cert} names node {@code nodeId}; else what it is instead. */
    static String identityProblem(X509Certificate cert, String nodeId) {
        List<String> uris = uris(cert);
        if (uris.contains(NodeIdentity.uri(nodeId))) {
            return null;
        }
        for (String uri : uris) {
            if (uri.startsWith(NodeIdentity.URI_PREFIX)) {
                return "is the certificate of node '" + uri.substring(NodeIdentity.URI_PREFIX.length()) + "', not of '"
                        + nodeId + "'";
            }
            if (uri.startsWith(Role.URI_PREFIX)) {
                return "is an operator's certificate (" + subject(cert) + "), not the certificate of node '" + nodeId + "'";
            }
        }
        return "names no node (no subject alternative name " + NodeIdentity.uri(nodeId)
                + "); issue it with 'batonctl certs init'";
    }

    /** The certificate's URI subject alternative names. */
    public static List<String> uris(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream().filter(n -> Integer.valueOf(6).equals(n.get(0))).map(n -> String.valueOf(n.get(1))).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static String subject(X509Certificate c) {
        String name = c.getSubjectX500Principal().getName();
        int cn = name.indexOf("CN=");
        if (cn < 0) {
            return "'" + name + "'";
        }
        int end = name.indexOf(',', cn);
        return "'" + name.substring(cn + 3, end < 0 ? name.length() : end) + "'";
    }
}
