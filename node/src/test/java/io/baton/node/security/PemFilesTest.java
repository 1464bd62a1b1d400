package io.baton.node.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
    @TempDir
    Path dir;

    final CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(30), Instant.now());

    @Test
    void aWrittenPairReadsBackAndTheKeyIsTheOwnersOnly() throws Exception {
        Issued node = ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(30), Instant.now());
        PemFiles.write(dir, "server1", node);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server1.key"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server1.crt"))));
        assertEquals(List.of("server1.crt", "server1.key"), Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList(),
                "no temporary file is left behind");
        Issued read = PemFiles.read(dir.resolve("server1.crt"), dir.resolve("server1.key"));
        assertEquals(node.certificate(), read.certificate());
        assertArrayEquals(node.key().getEncoded(), read.key().getEncoded());
        assertEquals("-----BEGIN PRIVATE KEY-----", Files.readAllLines(dir.resolve("server1.key")).get(0), "PKCS#8");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        PemFiles.write(dir, "a", ca.issueOperator("a", Role.VIEWER, Duration.ofDays(1), Instant.now()));
        PemFiles.write(dir, "b", ca.issueOperator("b", Role.VIEWER, Duration.ofDays(1), Instant.now()));
        CertificateException e = assertThrows(CertificateException.class,
                () -> PemFiles.read(dir.resolve("a.crt"), dir.resolve("b.key")));
        assertEquals(dir.resolve("b.key") + ": this key does not belong to the certificate " + dir.resolve("a.crt"), e.getMessage());
    }

    @Test
    void unreadableFilesAreOneLineNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.crt");
        assertEquals(missing + ": no such file",
                assertThrows(CertificateException.class, () -> PemFiles.readCertificate(missing)).getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "hello\n");
        assertEquals(garbage + ": no PEM certificate in the file",
                assertThrows(CertificateException.class, () -> PemFiles.readCertificate(garbage)).getMessage());
        PemFiles.writeCertificate(dir.resolve("cert-as-key.key"), ca.ca().certificate());
        assertEquals(dir.resolve("cert-as-key.key") + ": holds a X509Certificate, not an unencrypted private key",
                assertThrows(CertificateException.class, () -> PemFiles.readKey(dir.resolve("cert-as-key.key"))).getMessage());
        Path broken = Files.writeString(dir.resolve("broken.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        String message = assertThrows(CertificateException.class, () -> PemFiles.readCertificate(broken)).getMessage();
        assertEquals(1, message.lines().count(), message);
        assertEquals(true, message.startsWith(broken + ": "), message);
    }

    @Test
    void aBundleHoldsSeveralCertificates() throws Exception {
        CertificateAuthority next = CertificateAuthority.create("lab", Duration.ofDays(30), Instant.now());
        Path bundle = dir.resolve("ca.crt");
        Files.writeString(bundle, pem(ca) + pem(next));
        assertEquals(List.of(ca.ca().certificate(), next.ca().certificate()), PemFiles.readCertificates(bundle));
    }

    /** openssl's own forms (SEC1 "EC PRIVATE KEY", with the curve's parameters) are read too, through BouncyCastle. */
    @Test
    void anOpensslStyleKeyReadsBack() throws Exception {
        Issued node = ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(30), Instant.now());
        // What `openssl ecparam -genkey -name prime256v1` writes: the key with its curve's name.
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(node.key().getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
        Path sec1 = Files.writeString(dir.resolve("sec1.key"), "-----BEGIN EC PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END EC PRIVATE KEY-----\n");
        assertEquals("-----BEGIN EC PRIVATE KEY-----", Files.readAllLines(sec1).get(0));
        assertEquals(true, PemFiles.matches(node.certificate(), PemFiles.readKey(sec1)));
    }

    @Test
    void onlyPlainBlocksAreReadWithoutBouncyCastle() {
        assertEquals(List.of("CERTIFICATE", "PRIVATE KEY"), PemFiles.PemBlock.parse(
                "junk before\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"
                        + "-----BEGIN PRIVATE KEY-----\r\nAwQF\r\n-----END PRIVATE KEY-----\n").stream()
                .map(PemFiles.PemBlock::type).toList());
        assertEquals(List.of(), PemFiles.PemBlock.parse("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAEC\n"
                + "-----END RSA PRIVATE KEY-----\n"), "encrypted: BouncyCastle says so");
        assertEquals(List.of(), PemFiles.PemBlock.parse("-----BEGIN CERTIFICATE-----\nAAEC\n"), "no END");
        assertEquals(List.of(), PemFiles.PemBlock.parse("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"));
    }

    private String pem(CertificateAuthority authority) throws Exception {
        Path f = dir.resolve("one.crt");
        PemFiles.writeCertificate(f, authority.ca().certificate());
        return Files.readString(f);
    }
}
