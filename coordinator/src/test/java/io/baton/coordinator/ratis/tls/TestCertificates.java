package io.baton.coordinator.ratis.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for tests of the Raft port's TLS, shaped like the ones {@code batonctl certs} issues: a CA,
 * node certificates (IP SAN of the node's host, URI SAN {@code baton:node:ID}, server and client use)
 * and operator certificates ({@code baton:role:ROLE}, client use only). Validity is given, so that a
 * test can make an expired one.
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {}

    private TestCertificates() {
    }

    public static Issued ca(String name) {
        KeyPair keys = keys();
        X500Name subject = new X500Name("O=baton,CN=" + name);
        Instant now = Instant.now();
        return build(subject, subject, keys, new KeyPair(keys.getPublic(), keys.getPrivate()), now.minusSeconds(300),
                now.plus(Duration.ofDays(30)), true, List.of(), null);
    }

    /** A node certificate valid from five minutes ago for a day. */
    public static Issued node(Issued ca, String id, String host) {
        Instant now = Instant.now();
        return node(ca, id, host, now.minusSeconds(300), now.plus(Duration.ofDays(1)));
    }

    public static Issued node(Issued ca, String id, String host, Instant notBefore, Instant notAfter) {
        List<GeneralName> names = List.of(new GeneralName(GeneralName.iPAddress, host),
                new GeneralName(GeneralName.uniformResourceIdentifier, "baton:node:" + id));
        return build(issuer(ca), new X500Name("O=baton,OU=node,CN=" + id), keys(), signer(ca), notBefore, notAfter,
                false, names, new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
    }

    /** An operator's client certificate with role {@code role}. */
    public static Issued operator(Issued ca, String name, String role) {
        Instant now = Instant.now();
        List<GeneralName> names = List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "baton:role:" + role));
        return build(issuer(ca), new X500Name("O=baton,OU=" + role + ",CN=" + name), keys(), signer(ca),
                now.minusSeconds(300), now.plus(Duration.ofDays(1)), false, names,
                new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth});
    }

    /** The node a certificate names, the way the node module reads it. */
    public static Optional<String> nodeOf(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return Optional.empty();
            }
            return names.stream().filter(n -> Integer.valueOf(6).equals(n.get(0))).map(n -> String.valueOf(n.get(1)))
                    .filter(u -> u.startsWith("baton:node:")).map(u -> u.substring("baton:node:".length())).findFirst();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
    }

    /** The Raft port's TLS for a node holding {@code own}, trusting {@code ca}. */
    public static RaftTls tls(Issued own, Issued ca) {
        return RaftTls.fixed(own.key(), own.certificate(), List.of(ca.certificate()), TestCertificates::nodeOf);
    }

    private static X500Name issuer(Issued ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static KeyPair signer(Issued ca) {
        return new KeyPair(ca.certificate().getPublicKey(), ca.key());
    }

    private static Issued build(X500Name issuer, X500Name subject, KeyPair keys, KeyPair signer, Instant notBefore,
                                Instant notAfter, boolean isCa, List<GeneralName> names, KeyPurposeId[] purposes) {
        try {
            var builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, isCa ? new BasicConstraints(0) : new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (purposes != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            }
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new ArrayList<>(names).toArray(GeneralName[]::new)));
            }
            var contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new Issued(new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner)), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot build a test certificate for " + subject, e);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
