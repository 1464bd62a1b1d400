package io.baton.node.security;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority: it signs one certificate per node (server and client use, the
 * node's addresses as subject alternative names and its identity as {@code baton:node:ID}) and one per
 * operator (client use only, the role as {@code baton:role:ROLE}). Keys are ECDSA P-256, signatures
 * SHA-256. {@code now} is a parameter so that tests can issue certificates that are expired or not yet valid.
 */
public final class CertificateAuthority {
    /** Certificates start this long before they are issued, so that a peer whose clock is a little behind accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Issued ca;

    private CertificateAuthority(Issued ca) {
        this.ca = ca;
    }

    /** Wraps a CA certificate and key read from files (see {@link PemFiles}). */
    public static CertificateAuthority of(Issued ca) {
        return new CertificateAuthority(ca);
    }

    /** A new self-signed CA named after the cluster. */
    public static CertificateAuthority create(String clusterName, Duration validity, Instant now) {
        KeyPair keys = newKeyPair();
        X500Name name = name("baton CA " + clusterName, "baton cluster " + clusterName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(name, name, keys.getPublic(), validity, now)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(new Issued(sign(builder, keys), keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build a CA certificate", e);
        }
    }

    public Issued ca() {
        return ca;
    }

    /**
     * A node's certificate. {@code hosts} are the host parts of its addresses (raft, admin, mirror):
     * IP literals become IP names, anything else a DNS name.
     */
    public Issued issueNode(String nodeId, Collection<String> hosts, Duration validity, Instant now) {
        List<GeneralName> names = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>(hosts);
        for (String host : seen) {
            names.add(isIpLiteral(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, NodeIdentity.uri(nodeId)));
        return issue(nodeId, "node", names, new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth},
                validity, now);
    }

    /** An operator's client certificate carrying its role. */
    public Issued issueOperator(String name, Role role, Duration validity, Instant now) {
        List<GeneralName> names = List.of(new GeneralName(GeneralName.uniformResourceIdentifier, role.uri()));
        return issue(name, role.id(), names, new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}, validity, now);
    }

    private Issued issue(String commonName, String unit, List<GeneralName> names, KeyPurposeId[] purposes,
                         Duration validity, Instant now) {
        KeyPair keys = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            // A certificate never outlives its CA: past the CA's end it could not be verified anyway.
            Duration untilCaEnds = Duration.between(now, ca.certificate().getNotAfter().toInstant());
            Duration capped = validity.compareTo(untilCaEnds) > 0 && !untilCaEnds.isNegative() ? untilCaEnds : validity;
            X509v3CertificateBuilder builder = builder(issuer, name(commonName, unit), keys.getPublic(), capped, now)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            return new Issued(sign(builder, new KeyPair(ca.certificate().getPublicKey(), ca.key())), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build a certificate for " + commonName, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity,
                                                    Instant now) {
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            var signerOp = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signerOp));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X500Name name(String commonName, String unit) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "baton").addRDN(BCStyle.OU, unit)
                .addRDN(BCStyle.CN, commonName).build();
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make ECDSA P-256 keys", e);
        }
    }

    /** An IPv4 or IPv6 literal (never a name lookup: InetAddress parses literals without resolving them). */
    static boolean isIpLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
