package io.baton.node.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The brief's example cluster file, and edits of it that must load or fail in one precise way. */
final class Yaml {

    static final String SOURCE = "cluster.yaml";

    static final String VALID = """
            cluster:
              name: web-ha
              heartbeat_interval: 250ms
              lease: 3s
            nodes:
              - {id: server1, role: data,    zone: us-east-1a, raft: 198.18.0.1:7400, admin: 198.18.0.1:7401}
              - {id: server2, role: data,    zone: us-east-1b, raft: 198.18.0.2:7400, admin: 198.18.0.2:7401}
              - {id: witness, role: witness, zone: us-east-1c, raft: 198.18.0.3:7400, admin: 198.18.0.3:7401}
            groups:
              - name: web
                nodes: [server1, server2]
                autostart: true
                resources:
                  - {type: exec, name: app, start: /etc/baton/app-start.sh, stop: /etc/baton/app-stop.sh, stop_timeout: 1s, timeout: 30s}
                  - {type: probe_port, name: nlb-probe, port: 12345}
            """;

    private Yaml() {}

    /** {@link #VALID} with each {@code from} replaced by the following {@code to}; each must occur. */
    static String valid(String... fromTo) {
        String text = VALID;
        for (int i = 0; i < fromTo.length; i += 2) {
            assertTrue(text.contains(fromTo[i]), "test edit does not apply: " + fromTo[i]);
            text = text.replace(fromTo[i], fromTo[i + 1]);
        }
        return text;
    }

    static ClusterConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(text, SOURCE);
    }

    /** The message of the error that loading {@code text} must fail with. */
    static String error(String text) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, SOURCE)).getMessage();
    }
}
