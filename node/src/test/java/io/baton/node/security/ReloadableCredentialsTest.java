package io.baton.node.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewed certificate or a second CA is used by new connections; files that fail the checks are not. */
class ReloadableCredentialsTest {
    private static final Instant NOW = Instant.now();
    private final CertificateAuthority ca = CertificateAuthority.create("c", Duration.ofDays(30), NOW);

    private static X509Certificate presented(ReloadableCredentials c) {
        String alias = c.keyManager().chooseEngineServerAlias("EC", null, null);
        return c.keyManager().getCertificateChain(alias)[0];
    }

    /** Rewrites a file and moves its time on, as a copy a little later would. */
    private static void touch(Path file, int seconds) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(seconds)));
    }

    @Test
    void aRenewedCertificateIsUsedAndBadFilesAreRefused(@TempDir Path dir) throws Exception {
        PemFiles.write(dir, "ca", ca.ca());
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(10), NOW));
        TlsConfig.Files files = new TlsConfig.Files(dir.resolve("ca.crt"), dir.resolve("server1.crt"), dir.resolve("server1.key"));
        ReloadableCredentials c = ReloadableCredentials.load(files, "server1", NOW);
        X509Certificate first = presented(c);
        assertEquals(first.getNotAfter().getTime(), c.expiry().certificateNotAfterMs());
        assertEquals(ReloadableCredentials.Outcome.UNCHANGED, c.reload(NOW, false).outcome());

        Issued renewed = ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(20), NOW);
        PemFiles.write(dir, "server1", renewed);
        touch(files.cert(), 2);
        ReloadableCredentials.Reload r = c.reload(NOW, false);
        assertEquals(ReloadableCredentials.Outcome.RELOADED, r.outcome(), r.message());
        assertEquals(renewed.certificate(), presented(c));
        assertTrue(!first.equals(presented(c)));
        assertEquals(renewed.certificate().getNotAfter().getTime(), c.expiry().certificateNotAfterMs(),
                "the expiry heartbeats report follows the renewal");

        // A key of another certificate: refused, the renewed one stays in use.
        PemFiles.writeKey(files.key(), ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(5), NOW).key());
        touch(files.key(), 4);
        r = c.reload(NOW, false);
        assertEquals(ReloadableCredentials.Outcome.REFUSED, r.outcome());
        assertTrue(r.message().startsWith("TLS: kept the certificate in use; the new files fail the check: " + files.key()),
                r.message());
        assertEquals(renewed.certificate(), presented(c));
        assertEquals(ReloadableCredentials.Outcome.UNCHANGED, c.reload(NOW, false).outcome(), "refused once, not again");
    }

    @Test
    void aSecondCaInTheBundleIsTrustedAfterAReload(@TempDir Path dir) throws Exception {
        PemFiles.write(dir, "ca", ca.ca());
        PemFiles.write(dir, "server1", ca.issueNode("server1", List.of("127.0.0.1"), Duration.ofDays(10), NOW));
        TlsConfig.Files files = new TlsConfig.Files(dir.resolve("ca.crt"), dir.resolve("server1.crt"), dir.resolve("server1.key"));
        ReloadableCredentials c = ReloadableCredentials.load(files, "server1", NOW);
        CertificateAuthority next = CertificateAuthority.create("c", Duration.ofDays(30), NOW);
        assertEquals(serials(ca.ca().certificate()), serials(c.trustManager().getAcceptedIssuers()));

        Files.writeString(files.ca(), Files.readString(files.ca()) + pem(next.ca().certificate()));
        touch(files.ca(), 2);
        assertEquals(ReloadableCredentials.Outcome.RELOADED, c.reload(NOW, false).outcome());
        assertEquals(serials(ca.ca().certificate(), next.ca().certificate()), serials(c.trustManager().getAcceptedIssuers()));
    }

    private static java.util.Set<java.math.BigInteger> serials(X509Certificate... certs) {
        return java.util.Arrays.stream(certs).map(X509Certificate::getSerialNumber).collect(java.util.stream.Collectors.toSet());
    }

    private static String pem(X509Certificate cert) throws Exception {
        Path tmp = Files.createTempFile("ca", ".crt");
        try {
            PemFiles.writeCertificate(tmp, cert);
            return Files.readString(tmp);
        } finally {
            Files.delete(tmp);
        }
    }
}
