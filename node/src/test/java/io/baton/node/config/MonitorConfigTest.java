package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.parse;
import static io.baton.node.config.Yaml.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An exec resource's {@code monitor} and {@code restart}. */
class MonitorConfigTest {

    private static final String AT = "cluster.yaml: groups[0].resources[0].";
    private static final String MON = AT + "monitor.";

    /** The example with {@code extra} (flow-style keys) added to its exec resource. */
    private static String exec(String extra) {
        return valid("timeout: 30s}", "timeout: 30s, " + extra + "}");
    }

    /** The example with a monitor, given in flow style, on its exec resource. */
    private static String monitor(String monitor) {
        return exec("monitor: " + monitor);
    }

    private static ExecResourceConfig app(String yaml) throws ConfigException {
        return (ExecResourceConfig) parse(yaml).groups().get(0).resources().get(0);
    }

    /** The example of issue 8, with the cluster and nodes of {@link Yaml#VALID}. */
    private static final String ISSUE_EXAMPLE = Yaml.VALID.substring(0, Yaml.VALID.indexOf("groups:")) + """
            groups:
              - name: web
                nodes: [server1, server2]
                on_failure: failover           # failover | stop | keep  (after local restarts are used up)
                failover_limit: {max: 3, within: 1h}
                failback: never                # never | auto
                failback_after: 60s
                probe_wait: 31s                # 0 (or 0s) disables
                resources:
                  - type: exec
                    name: app
                    start: /etc/baton/app-start.sh
                    stop: /etc/baton/app-stop.sh
                    monitor:
                      type: tcp
                      port: 8080
                      interval: 1s
                      timeout: 500ms
                      failures: 2
                      start_grace: 5s
                    restart:
                      max: 2
                      within: 10m
            """;

    @Test
    void theIssueExampleParses() throws ConfigException {
        GroupConfig web = parse(ISSUE_EXAMPLE).groups().get(0);
        MonitorConfig monitor = new MonitorConfig(MonitorType.TCP, null, 8080, null, null, null, null,
                Duration.ofSeconds(1), Duration.ofMillis(500), 2, Duration.ofSeconds(5));
        ExecResourceConfig app = new ExecResourceConfig("app", "/etc/baton/app-start.sh", "/etc/baton/app-stop.sh",
                Duration.ofSeconds(30), Map.of(), monitor, new RestartPolicy(2, Duration.ofMinutes(10)));
        assertEquals(new GroupConfig("web", List.of("server1", "server2"), true, List.of(app), OnFailure.FAILOVER,
                new FailoverLimit(3, Duration.ofHours(1)), Failback.NEVER, Duration.ofSeconds(60),
                Duration.ofSeconds(31)), web);
        // The group settings of the example are the defaults.
        String groupKeys = ISSUE_EXAMPLE.substring(ISSUE_EXAMPLE.indexOf("    on_failure"),
                ISSUE_EXAMPLE.indexOf("    resources:"));
        assertEquals(web, parse(ISSUE_EXAMPLE.replace(groupKeys, "")).groups().get(0));
    }

    @Test
    void anExecResourceWithoutAMonitorHasNoRestartPolicy() throws ConfigException {
        ExecResourceConfig app = app(Yaml.VALID);
        assertNull(app.monitor());
        assertNull(app.restart());
    }

    @Test
    void tcpDefaults() throws ConfigException {
        ExecResourceConfig app = app(monitor("{type: tcp, port: 8080}"));
        assertEquals(new MonitorConfig(MonitorType.TCP, null, 8080, null, null, null, null, Duration.ofSeconds(5),
                Duration.ofMillis(2500), 3, Duration.ZERO), app.monitor());
        assertEquals(new RestartPolicy(1, Duration.ofMinutes(10)), app.restart());
        assertEquals(RestartPolicy.DEFAULT, app.restart());
    }

    @Test
    void httpDefaults() throws ConfigException {
        assertEquals(new MonitorConfig(MonitorType.HTTP, null, 8080, "/", null, null, null, Duration.ofSeconds(5),
                Duration.ofMillis(2500), 3, Duration.ZERO), app(monitor("{type: http, port: 8080}")).monitor());
    }

    @Test
    void execDefaults() throws ConfigException {
        assertEquals(new MonitorConfig(MonitorType.EXEC, null, 0, null, null, null, "/etc/baton/app-check.sh",
                Duration.ofSeconds(5), Duration.ofMillis(2500), 3, Duration.ZERO),
                app(monitor("{type: exec, command: /etc/baton/app-check.sh}")).monitor());
    }

    @Test
    void timeoutDefaultsToHalfTheInterval() throws ConfigException {
        assertEquals(Duration.ofMillis(500), app(monitor("{type: tcp, port: 8080, interval: 1s}")).monitor().timeout());
        assertEquals(Duration.ofMillis(750), app(monitor("{type: tcp, port: 8080, interval: 1.5s}")).monitor().timeout());
    }

    @Test
    void readsEveryField() throws ConfigException {
        ExecResourceConfig app = app(exec("monitor: {type: http, host: '[fd00::1]', port: 8080,"
                + " path: '/healthz?full=1', expect_status: 204, expect_body: ok, interval: 1s, timeout: 500ms,"
                + " failures: 2, start_grace: 5s}, restart: {max: 2, within: 10m}"));
        assertEquals(new MonitorConfig(MonitorType.HTTP, "fd00::1", 8080, "/healthz?full=1", 204, "ok", null,
                Duration.ofSeconds(1), Duration.ofMillis(500), 2, Duration.ofSeconds(5)), app.monitor());
        assertEquals(new RestartPolicy(2, Duration.ofMinutes(10)), app.restart());

        ExecResourceConfig tcp = app(monitor("{type: tcp, host: 127.0.0.1, port: 5432, failures: 1}"));
        assertEquals("127.0.0.1", tcp.monitor().host());
        assertEquals(1, tcp.monitor().failures());
    }

    @Test
    void startGraceMayBeZero() throws ConfigException {
        for (String zero : new String[] {"0", "0s", "0ms", "'0'"}) {
            assertEquals(Duration.ZERO, app(monitor("{type: tcp, port: 8080, start_grace: " + zero + "}"))
                    .monitor().startGrace(), zero);
        }
    }

    @Test
    void restartFieldsDefaultOneByOne() throws ConfigException {
        assertEquals(new RestartPolicy(0, Duration.ofMinutes(10)),
                app(exec("monitor: {type: tcp, port: 8080}, restart: {max: 0}")).restart());
        assertEquals(new RestartPolicy(1, Duration.ofMinutes(30)),
                app(exec("monitor: {type: tcp, port: 8080}, restart: {within: 30m}")).restart());
    }

    @Test
    void monitorsGoOnExecResourcesOnly() {
        String at = "cluster.yaml: groups[0].resources[1].";
        assertEquals(at + "monitor: monitors go on exec resources only; the probe port is what the load balancer"
                + " checks", error(valid("port: 12345}", "port: 12345, monitor: {type: tcp, port: 12345}}")));
        assertEquals(at + "restart: restart goes with a monitor, on exec resources only; the probe port is what the"
                + " load balancer checks", error(valid("port: 12345}", "port: 12345, restart: {max: 1}}")));
        // The mirror disk's counterpart is in MirrorDiskConfigTest.
    }

    @Test
    void restartOnlyWithAMonitor() {
        assertEquals(AT + "restart: only allowed together with a monitor: local restarts follow a failed monitor",
                error(exec("restart: {max: 2, within: 10m}")));
    }

    @Test
    void restartFields() {
        String with = "monitor: {type: tcp, port: 8080}, restart: ";
        assertEquals(AT + "restart.max: must be at least 0, got -1", error(exec(with + "{max: -1}")));
        assertEquals(AT + "restart.max: must be a whole number, got string 'two'", error(exec(with + "{max: two}")));
        assertEquals(AT + "restart.within: must be positive, got 0s", error(exec(with + "{within: 0s}")));
        assertEquals(AT + "restart.within: must be a duration with a unit, e.g. 250ms or 3s, got number 600",
                error(exec(with + "{within: 600}")));
        assertEquals(AT + "restart.withn: unknown key 'withn' (did you mean 'within'?); allowed keys: max, within",
                error(exec(with + "{withn: 10m}")));
        assertEquals(AT + "restart: must be a mapping of keys to values, got number 2", error(exec(with + "2")));
    }

    @Test
    void monitorShapeAndType() {
        assertEquals(MON + "type: required field is missing", error(monitor("{port: 8080}")));
        assertEquals(MON + "type: must be tcp, http or exec, got 'smtp'", error(monitor("{type: smtp, port: 25}")));
        assertEquals(MON + "type: must be tcp, http or exec, got 'TCP'", error(monitor("{type: TCP, port: 25}")));
        assertEquals(AT + "monitor: must be a mapping of keys to values, got string 'tcp'", error(monitor("tcp")));
    }

    @Test
    void keysDependOnTheMonitorsType() {
        assertEquals(MON + "path: unknown key 'path'; allowed keys: type, host, port, interval, timeout, failures,"
                + " start_grace", error(monitor("{type: tcp, port: 8080, path: /healthz}")));
        assertEquals(MON + "command: unknown key 'command'; allowed keys: type, host, port, path, expect_status,"
                + " expect_body, interval, timeout, failures, start_grace",
                error(monitor("{type: http, port: 8080, command: /bin/check}")));
        assertEquals(MON + "port: unknown key 'port'; allowed keys: type, command, interval, timeout, failures,"
                + " start_grace", error(monitor("{type: exec, command: /bin/check, port: 8080}")));
        assertEquals(MON + "intervall: unknown key 'intervall' (did you mean 'interval'?); allowed keys: type, host,"
                + " port, interval, timeout, failures, start_grace", error(monitor("{type: tcp, port: 8080, intervall: 1s}")));
        assertEquals(MON + "expect_stauts: unknown key 'expect_stauts' (did you mean 'expect_status'?); allowed keys:"
                + " type, host, port, path, expect_status, expect_body, interval, timeout, failures, start_grace",
                error(monitor("{type: http, port: 8080, expect_stauts: 200}")));
    }

    @Test
    void tcpAndHttpNeedAPort() {
        assertEquals(MON + "port: required field is missing", error(monitor("{type: tcp}")));
        assertEquals(MON + "port: required field is missing", error(monitor("{type: http, path: /}")));
        assertEquals(MON + "port: must be between 1 and 65535, got 70000", error(monitor("{type: tcp, port: 70000}")));
        assertEquals(MON + "port: must be between 1 and 65535, got 0", error(monitor("{type: http, port: 0}")));
        assertEquals(MON + "port: must be a whole number, got string '8080'", error(monitor("{type: tcp, port: '8080'}")));
    }

    @Test
    void execNeedsACommand() {
        assertEquals(MON + "command: required field is missing", error(monitor("{type: exec, interval: 1s}")));
        assertEquals(MON + "command: must not be blank", error(monitor("{type: exec, command: ' '}")));
    }

    @Test
    void hostIsCheckedLikeAProbeBind() {
        assertEquals(MON + "host: '300.1.1.1' is not a valid IPv4 address",
                error(monitor("{type: tcp, host: 300.1.1.1, port: 8080}")));
        assertEquals(MON + "host: 'no such host' is not a valid host name",
                error(monitor("{type: http, host: no such host, port: 8080}")));
        assertEquals(MON + "host: 'fd00::g' is not a valid IPv6 address",
                error(monitor("{type: tcp, host: 'fd00::g', port: 8080}")));
    }

    @Test
    void httpFields() {
        assertEquals(MON + "path: must start with '/', got 'healthz'", error(monitor("{type: http, port: 80, path: healthz}")));
        assertEquals(MON + "path: must not contain spaces or control characters, got '/a b'",
                error(monitor("{type: http, port: 80, path: /a b}")));
        assertEquals(MON + "expect_status: must be between 100 and 599, got 600",
                error(monitor("{type: http, port: 80, expect_status: 600}")));
        assertEquals(MON + "expect_status: must be between 100 and 599, got 99",
                error(monitor("{type: http, port: 80, expect_status: 99}")));
        assertEquals(MON + "expect_body: must be a string, got number 42",
                error(monitor("{type: http, port: 80, expect_body: 42}")));
    }

    @Test
    void timings() {
        assertEquals(MON + "timeout: must be shorter than interval (1s), got 1s",
                error(monitor("{type: tcp, port: 8080, interval: 1s, timeout: 1s}")));
        assertEquals(MON + "timeout: must be shorter than interval (5s), got 6s",
                error(monitor("{type: tcp, port: 8080, timeout: 6s}")));
        assertEquals(MON + "interval: must be positive, got 0s", error(monitor("{type: tcp, port: 8080, interval: 0s}")));
        assertEquals(MON + "timeout: must be positive, got 0ms", error(monitor("{type: tcp, port: 8080, timeout: 0ms}")));
        assertEquals(MON + "interval: must be at least 2ns, so that the default timeout (half the interval) is"
                + " positive, got 0.000001ms", error(monitor("{type: tcp, port: 8080, interval: 0.000001ms}")));
        assertEquals(MON + "interval: must be a duration with a unit, e.g. 250ms or 3s, got number 5",
                error(monitor("{type: tcp, port: 8080, interval: 5}")));
        assertEquals(MON + "failures: must be at least 1, got 0", error(monitor("{type: tcp, port: 8080, failures: 0}")));
        assertEquals(MON + "failures: must be a whole number, got number 1.5",
                error(monitor("{type: tcp, port: 8080, failures: 1.5}")));
        // No negative durations exist in the file's notation, so a negative grace is refused as such.
        assertEquals(MON + "start_grace: '-1s' is not a duration; expected a number followed by ms, s, m or h,"
                + " e.g. 250ms, 3s, 1.5s, 2m, 1h", error(monitor("{type: tcp, port: 8080, start_grace: -1s}")));
        assertEquals(MON + "start_grace: must be a duration with a unit, e.g. 250ms or 3s, or 0, got number 5",
                error(monitor("{type: tcp, port: 8080, start_grace: 5}")));
    }

    @Test
    void recordsRefuseWhatTheReaderRefuses() {
        Duration s1 = Duration.ofSeconds(1);
        Duration ms500 = Duration.ofMillis(500);
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(MonitorType.TCP, null, 80, null, null,
                null, null, s1, s1, 3, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(MonitorType.TCP, null, 0, null, null,
                null, null, s1, ms500, 3, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(MonitorType.TCP, null, 80, null, null,
                null, null, s1, ms500, 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(MonitorType.TCP, null, 80, "/", null,
                null, null, s1, ms500, 3, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new MonitorConfig(MonitorType.EXEC, null, 0, null, null,
                null, null, s1, ms500, 3, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(MonitorType.TCP, null, 80, null, null,
                null, null, s1, ms500, 3, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(-1, s1));
        assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(1, Duration.ZERO));
        MonitorConfig tcp = new MonitorConfig(MonitorType.TCP, null, 80, null, null, null, null, s1, ms500, 3,
                Duration.ZERO);
        assertThrows(IllegalArgumentException.class, () -> new ExecResourceConfig("a", "/bin/a", "/bin/b", s1,
                null, null, RestartPolicy.DEFAULT));
        assertEquals(RestartPolicy.DEFAULT, new ExecResourceConfig("a", "/bin/a", "/bin/b", s1, null, tcp, null).restart());
    }
}
