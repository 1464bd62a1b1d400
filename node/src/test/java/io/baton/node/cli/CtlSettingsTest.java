package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where batonctl's settings come from: flag, else environment, else the settings file, else the default. */
class CtlSettingsTest {
    private static final Path FILE = Path.of("/home/op/.config/baton/batonctl.yaml");
    private static final CtlSettings.Flags NO_FLAGS = new CtlSettings.Flags(null, null, null, null);

    @Test
    void withNothingPlaintextToTheLocalNode() {
        CtlSettings s = CtlSettings.resolve(NO_FLAGS, Map.of(), FILE, CtlSettings.FileSettings.NONE);
        assertEquals("127.0.0.1:7401", s.endpoints().get(0).toString());
        assertTrue(s.tls().isEmpty());
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFile() {
        CtlSettings.FileSettings file = new CtlSettings.FileSettings("10.0.0.1:7401", "tls/ca.crt", "tls/me.crt", "tls/me.key");
        CtlSettings fromFile = CtlSettings.resolve(NO_FLAGS, Map.of(), FILE, file);
        assertEquals("10.0.0.1:7401", fromFile.endpoints().get(0).toString());
        assertEquals(Path.of("/home/op/.config/baton/tls/ca.crt"), fromFile.tls().orElseThrow().ca(),
                "relative to the file's directory");
        CtlSettings fromEnv = CtlSettings.resolve(NO_FLAGS, Map.of("BATON_CERT", "/env/alice.crt",
                "BATON_ENDPOINT", "10.0.0.2:7401"), FILE, file);
        assertEquals(Path.of("/env/alice.crt"), fromEnv.tls().orElseThrow().cert());
        assertEquals("10.0.0.2:7401", fromEnv.endpoints().get(0).toString());
        CtlSettings fromFlags = CtlSettings.resolve(new CtlSettings.Flags("10.0.0.3:7401", null, Path.of("bob.crt"), null),
                Map.of("BATON_CERT", "/env/alice.crt"), FILE, file);
        assertEquals(Path.of("bob.crt"), fromFlags.tls().orElseThrow().cert());
        assertEquals("10.0.0.3:7401", fromFlags.endpoints().get(0).toString());
    }

    @Test
    void aPartOfTheTlsSettingsIsOneLineSayingWhatIsMissing() {
        CtlException e = assertThrows(CtlException.class, () -> CtlSettings.resolve(
                new CtlSettings.Flags(null, Path.of("ca.crt"), Path.of("alice.crt"), null), Map.of(), FILE,
                CtlSettings.FileSettings.NONE));
        assertEquals("TLS needs the CA, a certificate and its key together; missing: --key (BATON_KEY)", e.getMessage());
    }

    @Test
    void aBadEndpointNamesWhereItCameFrom() {
        CtlException e = assertThrows(CtlException.class, () -> CtlSettings.resolve(NO_FLAGS,
                Map.of("BATON_ENDPOINT", "nohost"), FILE, CtlSettings.FileSettings.NONE));
        assertTrue(e.getMessage().startsWith("BATON_ENDPOINT: "), e.getMessage());
    }

    @Test
    void theSettingsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("batonctl.yaml");
        assertEquals(CtlSettings.FileSettings.NONE, CtlSettings.readFile(file), "no file, no settings");
        Files.writeString(file, "endpoint: 10.0.0.1:7401\nca: ca.crt\ncert: alice.crt\nkey: alice.key\n");
        assertEquals(new CtlSettings.FileSettings("10.0.0.1:7401", "ca.crt", "alice.crt", "alice.key"),
                CtlSettings.readFile(file));
        Files.writeString(file, "endpoints: 10.0.0.1:7401\n");
        CtlException e = assertThrows(CtlException.class, () -> CtlSettings.readFile(file));
        assertEquals(file + ": unknown key 'endpoints'; allowed keys: endpoint, ca, cert, key", e.getMessage());
    }

    @Test
    void theFileLivesUnderXdgConfigHomeOrHome() {
        assertEquals(Path.of("/x/baton/batonctl.yaml"), CtlSettings.defaultFile(Map.of("XDG_CONFIG_HOME", "/x")));
        assertEquals(Path.of("/home/op/.config/baton/batonctl.yaml"), CtlSettings.defaultFile(Map.of("HOME", "/home/op")));
    }
}
