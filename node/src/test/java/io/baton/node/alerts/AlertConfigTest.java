package io.baton.node.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.node.config.AlertConfig;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alerts:} in the cluster file: what it accepts, and one line naming the field for each mistake. */
class AlertConfigTest {
    @TempDir
    Path dir;

    static final String BASE = """
            cluster: {name: c, heartbeat_interval: 250ms, lease: 3s, insecure: true}
            nodes:
              - {id: server1, role: data, raft: 127.0.0.1:7400, admin: 127.0.0.1:7401}
              - {id: server2, role: data, raft: 127.0.0.2:7400, admin: 127.0.0.2:7401}
              - {id: witness, role: witness, raft: 127.0.0.3:7400, admin: 127.0.0.3:7401}
            """;

    ClusterConfig load(String alerts) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, BASE + alerts);
        return ConfigLoader.load(f);
    }

    String error(String alerts) {
        return assertThrows(ConfigException.class, () -> load(alerts)).getMessage();
    }

    @Test
    void execAndWebhookWithFiltersAndTimeouts() throws Exception {
        List<AlertConfig> alerts = load("""
                alerts:
                  - {type: exec, command: /etc/baton/mail-alert.sh, events: [granted, failover]}
                  - {type: webhook, url: 'https://chat.example/hooks/T0?token=x', timeout: 3s}
                """).alerts();
        assertEquals(2, alerts.size());
        assertEquals(AlertConfig.Type.EXEC, alerts.get(0).type());
        assertEquals(Set.of("granted", "failover"), alerts.get(0).events());
        assertEquals(Duration.ofSeconds(10), alerts.get(0).timeout());
        assertEquals(Duration.ofSeconds(3), alerts.get(1).timeout());
        assertEquals("https://chat.example/hooks/T0", alerts.get(1).target(), "no token in logs");
        assertEquals(true, alerts.get(1).wants("node-down"));
        assertEquals(false, alerts.get(0).wants("node-down"));
        assertEquals(List.of(), load("").alerts());
    }

    @Test
    void mistakesAreOneLineNamingTheField() {
        assertEquals("cluster.yaml: alerts[0].events[1]: unknown event kind 'grnted' (did you mean 'granted'?); kinds: "
                        + String.join(", ", AlertConfig.KINDS),
                error("alerts:\n  - {type: exec, command: x, events: [online, grnted]}\n").replaceFirst("^.*cluster.yaml", "cluster.yaml"));
        assertEquals("cluster.yaml: alerts[0].type: must be exec or webhook, got 'email'",
                error("alerts:\n  - {type: email, to: ops@example}\n").replaceFirst("^.*cluster.yaml", "cluster.yaml"));
        assertEquals("cluster.yaml: alerts[0].url: must be an http:// or https:// URL with a host, got 'ftp://x/y'",
                error("alerts:\n  - {type: webhook, url: 'ftp://x/y'}\n").replaceFirst("^.*cluster.yaml", "cluster.yaml"));
        assertEquals("cluster.yaml: alerts[0].command: required field is missing",
                error("alerts:\n  - {type: exec}\n").replaceFirst("^.*cluster.yaml", "cluster.yaml"));
        assertEquals("cluster.yaml: alerts[0].url: unknown key 'url'; allowed keys: type, command, events, timeout",
                error("alerts:\n  - {type: exec, command: x, url: 'http://a'}\n").replaceFirst("^.*cluster.yaml", "cluster.yaml"));
    }
}
