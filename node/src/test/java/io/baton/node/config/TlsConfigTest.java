package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.parse;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
    static final String TLS = "lease: 3s\n  tls: {ca: /etc/baton/tls/ca.crt, cert: '/etc/baton/tls/${node}.crt',"
            + " key: '/etc/baton/tls/${node}.key'}";

    @Test
    void eachNodeFindsItsOwnFiles() throws ConfigException {
        ClusterConfig c = parse(valid("lease: 3s", TLS));
        assertEquals(Optional.of(new TlsConfig.Files(Path.of("/etc/baton/tls/ca.crt"), Path.of("/etc/baton/tls/server2.crt"),
                Path.of("/etc/baton/tls/server2.key"))), c.tlsFiles("server2"));
        assertFalse(c.insecure());
    }

    @Test
    void withoutATlsBlockThereAreNoFiles() throws ConfigException {
        assertEquals(Optional.empty(), parse(Yaml.VALID).tlsFiles("server1"));
        assertTrue(parse(valid("lease: 3s", "lease: 3s\n  insecure: true")).insecure());
    }

    @Test
    void relativePathsAreRelativeToTheClusterFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, valid("lease: 3s", "lease: 3s\n  tls: {ca: tls/ca.crt, cert: 'tls/${node}.crt', key: 'tls/${node}.key'}"));
        assertEquals(dir.resolve("tls/witness.key"), ConfigLoader.load(file).tlsFiles("witness").orElseThrow().key());
    }

    @Test
    void mistakesNameTheField() {
        assertEquals("cluster.yaml: cluster.tls.cert: unknown variable ${host} in '/tls/${host}.crt'; the only one is ${node}",
                error(valid("lease: 3s", "lease: 3s\n  tls: {ca: /tls/ca.crt, cert: '/tls/${host}.crt', key: /tls/k}")));
        assertTrue(error(valid("lease: 3s", "lease: 3s\n  tls: {ca: /tls/ca.crt, cert: /tls/c}"))
                .startsWith("cluster.yaml: cluster.tls.key: "));
        assertTrue(error(valid("lease: 3s", "lease: 3s\n  tls: {ca: /a, cert: /b, key: /c, password: x}"))
                .startsWith("cluster.yaml: cluster.tls.password: unknown key 'password'"));
        assertEquals("cluster.yaml: cluster.insecure: is true but cluster.tls is set too: remove one of them",
                error(valid("lease: 3s", TLS + "\n  insecure: true")));
    }
}
