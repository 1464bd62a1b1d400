package io.baton.node.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.node.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a node's TLS files can be wrong is refused at start in one line naming the file. */
class NodeCredentialsTest {
    static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    final CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(3650), NOW.minus(Duration.ofDays(1)));

    private TlsConfig.Files files() throws Exception {
        PemFiles.writeCertificate(dir.resolve("ca.crt"), ca.ca().certificate());
        return new TlsConfig.Files(dir.resolve("ca.crt"), dir.resolve("server1.crt"), dir.resolve("server1.key"));
    }

    private String refusal(TlsConfig.Files files) {
        return assertThrows(CertificateException.class, () -> NodeCredentials.load(files, "server1", NOW)).getMessage();
    }

    @Test
    void aValidNodeCertificateLoads() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), YEAR, NOW));
        NodeCredentials c = NodeCredentials.load(files, "server1", NOW);
        assertEquals(List.of(ca.ca().certificate()), c.trusted());
        assertEquals(List.of(), c.warnings(files, NOW));
    }

    @Test
    void theCertificateOfAnotherNodeIsRefused() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueNode("server2", List.of("127.0.0.1"), YEAR, NOW));
        assertEquals(files.cert() + ": is the certificate of node 'server2', not of 'server1'", refusal(files));
    }

    @Test
    void anOperatorsCertificateIsNotANode() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueOperator("alice", Role.ADMIN, YEAR, NOW));
        assertEquals(files.cert() + ": is an operator's certificate ('alice'), not the certificate of node 'server1'",
                refusal(files));
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() throws Exception {
        TlsConfig.Files files = files();
        CertificateAuthority other = CertificateAuthority.create("other", YEAR, NOW);
        PemFiles.write(dir, "server1", other.issueNode("server1", List.of("127.0.0.1"), YEAR, NOW));
        assertEquals(files.cert() + ": not signed by the cluster's CA in " + files.ca()
                + " (issued by CN=baton CA other,OU=baton cluster other,O=baton)", refusal(files));
    }

    @Test
    void anExpiredCertificateIsRefusedAndOneAboutToExpireIsAWarning() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(1),
                NOW.minus(Duration.ofDays(3))));
        assertEquals(files.cert() + ": 'server1' expired on 2026-12-03 12:00:00 UTC", refusal(files));
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(10), NOW));
        assertEquals(List.of(files.cert() + ": 'server1' expires in 10 days (2026-12-15 12:00:00 UTC): issue a new one"),
                NodeCredentials.load(files, "server1", NOW).warnings(files, NOW));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), YEAR, NOW));
        PemFiles.writeKey(files.key(), ca.issueNode("server1", List.of("127.0.0.1"), YEAR, NOW).key());
        assertEquals(files.key() + ": this key does not belong to the certificate " + files.cert(), refusal(files));
    }

    @Test
    void aNodeCertificateInTheCaBundleIsRefused() throws Exception {
        TlsConfig.Files files = files();
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), YEAR, NOW));
        Files.copy(files.cert(), files.ca(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(files.ca() + ": holds 'server1', which is not a CA certificate", refusal(files));
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        TlsConfig.Files files = files();
        assertEquals(files.cert() + ": no such file", refusal(files));
    }
}
