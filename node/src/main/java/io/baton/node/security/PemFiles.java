package io.baton.node.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Certificates and keys as PEM files: certificates world-readable, keys PKCS#8 and readable by their owner
 * only (0600 from the moment the file exists). Files are written next to their target and moved over it,
 * so a reader never sees half a key. Every failure names the file.
 */
public final class PemFiles {
    private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {
    }

    public static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
        write(file, pem(certificate), CERT_MODE);
    }

    public static void writeKey(Path file, PrivateKey key) throws IOException {
        write(file, pem(new JcaPKCS8Generator(key, null)), KEY_MODE);
    }

    /** Writes {@code issued} as {@code DIR/NAME.crt} and {@code DIR/NAME.key}. */
    public static void write(Path dir, String name, Issued issued) throws IOException {
        writeKey(dir.resolve(name + ".key"), issued.key());
        writeCertificate(dir.resolve(name + ".crt"), issued.certificate());
    }

    /**
     * Every certificate in a PEM file (a CA bundle may hold two during a roll-over). Plain
     * {@code CERTIFICATE} blocks, what Baton and openssl write, are read with the JDK alone; anything
     * else goes to BouncyCastle's parser, which reads more formats and names what a file holds instead.
     * (BouncyCastle's jars are signed, so the class-data archive that speeds up batonctl cannot hold
     * them: loading its PEM parser cost every batonctl call about a third of a second.)
     */
    public static List<X509Certificate> readCertificates(Path file) throws CertificateException {
        String text = readText(file, "certificate");
        List<PemBlock> blocks = PemBlock.parse(text);
        if (!blocks.isEmpty() && blocks.stream().allMatch(b -> b.type().equals("CERTIFICATE"))) {
            try {
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                List<X509Certificate> certificates = new ArrayList<>();
                for (PemBlock b : blocks) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
                }
                return certificates;
            } catch (GeneralSecurityException | RuntimeException e) {
                // BouncyCastle's parser below says what is wrong.
            }
        }
        return BouncyCastlePem.certificates(file, text);
    }

    public static X509Certificate readCertificate(Path file) throws CertificateException {
        return readCertificates(file).get(0);
    }

    /**
     * The private key in a PEM file: an unencrypted PKCS#8 {@code PRIVATE KEY} (what Baton writes) is
     * read with the JDK alone; other forms (openssl's {@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY})
     * through BouncyCastle.
     */
    public static PrivateKey readKey(Path file) throws CertificateException {
        String text = readText(file, "private key");
        List<PemBlock> blocks = PemBlock.parse(text);
        if (blocks.size() == 1 && blocks.get(0).type().equals("PRIVATE KEY")) {
            for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0).der()));
                } catch (GeneralSecurityException | RuntimeException e) {
                    // another algorithm, or BouncyCastle below says what is wrong
                }
            }
        }
        return BouncyCastlePem.key(file, text);
    }

    private static String readText(Path file, String what) throws CertificateException {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new CertificateException(file + ": " + ioReason(e, what));
        }
    }

    /** One {@code -----BEGIN TYPE-----} ... {@code -----END TYPE-----} block with a plain base64 body. */
    record PemBlock(String type, byte[] der) {
        /** The blocks of {@code text}; empty when any block is not plain (headers, bad base64, no END). */
        static List<PemBlock> parse(String text) {
            List<PemBlock> blocks = new ArrayList<>();
            String type = null;
            StringBuilder body = new StringBuilder();
            for (String raw : text.split("\n")) {
                String line = raw.strip();
                if (type == null) {
                    if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
                        type = line.substring(11, line.length() - 5);
                        body.setLength(0);
                    }
                } else if (line.equals("-----END " + type + "-----")) {
                    try {
                        blocks.add(new PemBlock(type, Base64.getDecoder().decode(body.toString())));
                    } catch (IllegalArgumentException e) {
                        return List.of();
                    }
                    type = null;
                } else if (line.contains(":") || line.startsWith("-----")) {
                    return List.of(); // encrypted (Proc-Type: ...) or malformed: not ours to read
                } else {
                    body.append(line);
                }
            }
            return type == null ? blocks : List.of();
        }
    }

    /** BouncyCastle's PEM parser: every other format, and the messages that say what a file holds. */
    private static final class BouncyCastlePem {
        static List<X509Certificate> certificates(Path file, String text) throws CertificateException {
            List<X509Certificate> certificates = new ArrayList<>();
            try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
                for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                    if (o instanceof X509CertificateHolder holder) {
                        certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                    } else {
                        throw new CertificateException(file + ": holds a " + describe(o) + ", not a certificate");
                    }
                }
            } catch (IOException e) {
                throw new CertificateException(file + ": " + ioReason(e, "certificate"));
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new CertificateException(file + ": not a readable PEM certificate (" + e.getMessage() + ")");
            }
            if (certificates.isEmpty()) {
                throw new CertificateException(file + ": no PEM certificate in the file");
            }
            return certificates;
        }

        static PrivateKey key(Path file, String text) throws CertificateException {
            try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
                Object o = parser.readObject();
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                throw new CertificateException(file + ": " + (o == null ? "no PEM private key in the file"
                        : "holds a " + describe(o) + ", not an unencrypted private key"));
            } catch (IOException e) {
                throw new CertificateException(file + ": " + ioReason(e, "private key"));
            } catch (RuntimeException e) {
                throw new CertificateException(file + ": not a readable PEM private key (" + e.getMessage() + ")");
            }
        }

        private static String describe(Object pemObject) {
            return pemObject.getClass().getSimpleName().replace("Holder", "").replace("Info", "");
        }
    }

    /** A certificate and its key; refused when the key is not the certificate's. */
    public static Issued read(Path certificateFile, Path keyFile) throws CertificateException {
        X509Certificate certificate = readCertificate(certificateFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(certificate, key)) {
            throw new CertificateException(keyFile + ": this key does not belong to the certificate " + certificateFile);
        }
        return new Issued(certificate, key);
    }

    /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
    static boolean matches(X509Certificate certificate, PrivateKey key) {
        try {
            byte[] probe = "baton key check".getBytes(StandardCharsets.US_ASCII);
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String ioReason(IOException e, String what) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return "cannot read the " + what + (message == null ? "" : " (" + message + ")");
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static void write(Path file, String content, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(mode));
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, mode);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
