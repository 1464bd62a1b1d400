package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.security.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
    static final String CLUSTER = """
            cluster: {name: lab, heartbeat_interval: 250ms, lease: 3s}
            nodes:
              - {id: server1, role: data, raft: 198.18.0.1:7400, admin: 198.18.0.1:7401, mirror: 198.18.1.1:7402}
              - {id: server2, role: data, raft: 198.18.0.2:7400, admin: server2.internal:7401}
              - {id: witness, role: witness, raft: 198.18.0.3:7400, admin: 198.18.0.3:7401}
            groups:
              - name: web
                nodes: [server1, server2]
                resources:
                  - {type: exec, name: app, start: /bin/true, stop: /bin/true, timeout: 1s}
            """;

    @TempDir
    Path dir;

    private BatonCtlTest.Result init() throws Exception {
        Path config = dir.resolve("cluster.yaml");
        Files.writeString(config, CLUSTER);
        return BatonCtlTest.run("certs", "init", "--config", config.toString(), "--out", dir.resolve("tls").toString());
    }

    @Test
    void initWritesTheCaAndEveryNodesCertificate() throws Exception {
        BatonCtlTest.Result r = init();
        assertEquals(0, r.code(), r.err());
        Path tls = dir.resolve("tls");
        for (String name : List.of("ca", "server1", "server2", "witness")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(name + ".key"))), name);
            PemFiles.read(tls.resolve(name + ".crt"), tls.resolve(name + ".key"));
        }
        X509Certificate ca = PemFiles.readCertificate(tls.resolve("ca.crt"));
        X509Certificate server1 = PemFiles.readCertificate(tls.resolve("server1.crt"));
        server1.verify(ca.getPublicKey());
        assertEquals(List.of(List.of(7, "198.18.0.1"), List.of(7, "198.18.1.1"), List.of(6, "baton:node:server1")),
                List.copyOf(server1.getSubjectAlternativeNames()));
        assertTrue(PemFiles.readCertificate(tls.resolve("server2.crt")).getSubjectAlternativeNames()
                .contains(List.of(2, "server2.internal")));
        assertTrue(r.out().startsWith("created CA for cluster lab " + tls.resolve("ca.crt")), r.out());
        assertTrue(r.out().contains("issued witness " + tls.resolve("witness.crt")), r.out());
    }

    @Test
    void initAgainKeepsWhatIsThereAndIssuesOnlyWhatIsMissing() throws Exception {
        assertEquals(0, init().code());
        Path tls = dir.resolve("tls");
        String ca = Files.readString(tls.resolve("ca.key"));
        String server1 = Files.readString(tls.resolve("server1.crt"));
        Files.delete(tls.resolve("witness.crt"));
        Files.delete(tls.resolve("witness.key"));
        BatonCtlTest.Result again = init();
        assertEquals(0, again.code(), again.err());
        assertEquals(ca, Files.readString(tls.resolve("ca.key")));
        assertEquals(server1, Files.readString(tls.resolve("server1.crt")));
        assertTrue(again.out().contains("kept CA"), again.out());
        assertTrue(again.out().contains("issued witness"), again.out());
        PemFiles.readCertificate(tls.resolve("witness.crt")).verify(PemFiles.readCertificate(tls.resolve("ca.crt")).getPublicKey());
    }

    @Test
    void issueWritesAnOperatorCertificateWithItsRole() throws Exception {
        assertEquals(0, init().code());
        Path tls = dir.resolve("tls");
        Path out = dir.resolve("alice");
        BatonCtlTest.Result r = BatonCtlTest.run("certs", "issue", "--name", "alice", "--role", "operator", "--ca-dir",
                tls.toString(), "--out", out.toString(), "--days", "30");
        assertEquals(0, r.code(), r.err());
        X509Certificate alice = PemFiles.read(out.resolve("alice.crt"), out.resolve("alice.key")).certificate();
        alice.verify(PemFiles.readCertificate(tls.resolve("ca.crt")).getPublicKey());
        assertEquals(List.of(List.of(6, "baton:role:operator")), List.copyOf(alice.getSubjectAlternativeNames()));
        assertEquals(1, BatonCtlTest.run("certs", "issue", "--name", "alice", "--role", "viewer", "--ca-dir",
                tls.toString(), "--out", out.toString()).code(), "an existing certificate is not replaced without --force");
        assertEquals(0, BatonCtlTest.run("certs", "issue", "--name", "alice", "--role", "viewer", "--ca-dir",
                tls.toString(), "--out", out.toString(), "--force").code());
    }

    @Test
    void mistakesAreOneLineAndWriteNothing() throws Exception {
        Path tls = dir.resolve("tls");
        BatonCtlTest.Result noCa = BatonCtlTest.run("certs", "issue", "--name", "alice", "--role", "viewer", "--ca-dir",
                tls.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, noCa.code());
        assertEquals("batonctl: " + tls.resolve("ca.crt") + ": no CA here; create one with 'batonctl certs init'\n", noCa.err());
        assertEquals(false, Files.exists(dir.resolve("o")));

        BatonCtlTest.Result role = BatonCtlTest.run("certs", "issue", "--name", "alice", "--role", "root", "--ca-dir",
                tls.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, role.code());
        assertTrue(role.err().contains("'root' is not a role; use one of viewer, operator, admin"), role.err());

        BatonCtlTest.Result name = BatonCtlTest.run("certs", "issue", "--name", "../etc/x", "--role", "viewer", "--ca-dir",
                tls.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, name.code());
        assertTrue(name.err().startsWith("batonctl: --name '../etc/x': use 1 to 64 letters"), name.err());

        Path config = Files.writeString(dir.resolve("bad.yaml"), "cluster: {name: lab}\n");
        BatonCtlTest.Result bad = BatonCtlTest.run("certs", "init", "--config", config.toString(), "--out", tls.toString());
        assertEquals(1, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("batonctl: " + config), bad.err());
        assertEquals(false, Files.exists(tls));

        Files.createDirectories(tls);
        Files.writeString(tls.resolve("ca.crt"), "not a certificate\n");
        Files.writeString(tls.resolve("ca.key"), "not a key\n");
        BatonCtlTest.Result broken = init();
        assertEquals(1, broken.code());
        assertEquals("batonctl: " + tls.resolve("ca.crt") + ": no PEM certificate in the file\n", broken.err());
        assertEquals(List.of("ca.crt", "ca.key"), Files.list(tls).map(p -> p.getFileName().toString()).sorted().toList());
    }
}
