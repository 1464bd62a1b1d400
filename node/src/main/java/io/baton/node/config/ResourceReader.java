package io.baton.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one entry of a group's {@code resources} list into its {@link ResourceConfig} record,
 * checking the fields of its type. Rules that involve other resources or groups (unique names,
 * probe port placement and clashes) belong to {@link ClusterValidator}.
 *
 * <p>To add a resource type: a record implementing {@link ResourceConfig}, a name in
 * {@link #TYPES} and a case in {@link #read}.
 */
final class ResourceReader {

    /** The {@code type} values known, for messages. */
    static final List<String> TYPES = List.of(ExecResourceConfig.TYPE, MirrorDiskResourceConfig.TYPE, ProbePortResourceConfig.TYPE);

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String RESERVED_ENV_PREFIX = "BATON_";

    private ResourceReader() {}

    static ResourceConfig read(YamlMap resource) throws ConfigException {
        String type = resource.requiredString("type");
        return switch (type) {
            case ExecResourceConfig.TYPE -> exec(resource);
            case ProbePortResourceConfig.TYPE -> probePort(resource);
            case MirrorDiskResourceConfig.TYPE -> mirrorDisk(resource);
            default -> throw resource.error("type",
                    "unknown resource type '" + type + "'; known types: " + String.join(", ", TYPES));
        };
    }

    private static ExecResourceConfig exec(YamlMap m) throws ConfigException {
        m.allowOnly("type", "name", "start", "stop", "timeout", "stop_timeout", "env", "monitor", "restart");
        String name = m.requiredName("name");
        String start = m.requiredString("start");
        String stop = m.requiredString("stop");
        Duration timeout = m.optionalDuration("timeout", ExecResourceConfig.DEFAULT_TIMEOUT);
        Duration stopTimeout = m.optionalDuration("stop_timeout", timeout);
        YamlMap envMap = m.optionalMap("env");
        Map<String, String> env = envMap == null ? Map.of() : env(envMap);
        if (m.has("restart") && !m.has("monitor")) {
            throw m.error("restart", "only allowed together with a monitor: local restarts follow a failed monitor");
        }
        YamlMap monitorMap = m.optionalMap("monitor");
        MonitorConfig monitor = monitorMap == null ? null : monitor(monitorMap);
        YamlMap restartMap = m.optionalMap("restart");
        RestartPolicy restart = monitor == null ? null : restartMap == null ? RestartPolicy.DEFAULT : restart(restartMap);
        return new ExecResourceConfig(name, start, stop, timeout, stopTimeout, env, monitor, restart);
    }

    /** An exec resource's {@code monitor}: the keys allowed depend on its type. */
    private static MonitorConfig monitor(YamlMap m) throws ConfigException {
        String typeText = m.requiredString("type");
        MonitorType type = MonitorType.fromYaml(typeText).orElseThrow(() -> m.error("type",
                "must be tcp, http or exec, got '" + typeText + "'"));
        switch (type) {
            case TCP -> m.allowOnly("type", "host", "port", "interval", "timeout", "failures", "start_grace");
            case HTTP -> m.allowOnly("type", "host", "port", "path", "expect_status", "expect_body",
                    "interval", "timeout", "failures", "start_grace");
            case EXEC -> m.allowOnly("type", "command", "interval", "timeout", "failures", "start_grace");
        }
        String host = null;
        int port = 0;
        if (type != MonitorType.EXEC) {
            host = host(m, "host");
            port = m.requiredInt("port", 1, 65535);
        }
        String path = null;
        Integer expectStatus = null;
        String expectBody = null;
        if (type == MonitorType.HTTP) {
            path = httpPath(m);
            expectStatus = m.has("expect_status") ? m.requiredInt("expect_status", 100, 599) : null;
            expectBody = m.optionalString("expect_body");
        }
        String command = type == MonitorType.EXEC ? m.requiredString("command") : null;
        Duration interval = m.optionalDuration("interval", MonitorConfig.DEFAULT_INTERVAL);
        Duration timeout;
        if (m.has("timeout")) {
            timeout = m.optionalDuration("timeout", null);
            if (timeout.compareTo(interval) >= 0) {
                throw m.error("timeout", "must be shorter than interval (" + DurationParser.format(interval)
                        + "), got " + DurationParser.format(timeout));
            }
        } else {
            timeout = MonitorConfig.defaultTimeout(interval);
            if (timeout.isZero()) {
                throw m.error("interval", "must be at least 2ns, so that the default timeout (half the interval)"
                        + " is positive, got " + DurationParser.format(interval));
            }
        }
        int failures = m.optionalInt("failures", 1, Integer.MAX_VALUE, MonitorConfig.DEFAULT_FAILURES);
        Duration startGrace = m.optionalDurationOrZero("start_grace", MonitorConfig.DEFAULT_START_GRACE);
        return new MonitorConfig(type, host, port, path, expectStatus, expectBody, command, interval, timeout,
                failures, startGrace);
    }

    /** An http monitor's GET path: the request target of the request line, so no spaces in it. */
    private static String httpPath(YamlMap m) throws ConfigException {
        String path = m.optionalString("path");
        if (path == null) {
            return MonitorConfig.DEFAULT_HTTP_PATH;
        }
        if (!path.startsWith("/")) {
            throw m.error("path", "must start with '/', got '" + path + "'");
        }
        if (path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw m.error("path", "must not contain spaces or control characters, got '" + path + "'");
        }
        return path;
    }

    private static RestartPolicy restart(YamlMap m) throws ConfigException {
        m.allowOnly("max", "within");
        int max = m.optionalInt("max", 0, Integer.MAX_VALUE, RestartPolicy.DEFAULT.max());
        Duration within = m.optionalDuration("within", RestartPolicy.DEFAULT.within());
        return new RestartPolicy(max, within);
    }

    /**
     * Monitors are for exec resources: refuses {@code monitor} and {@code restart} on another type
     * with the reason, where the generic unknown-key message would leave the operator guessing.
     */
    private static void refuseMonitor(YamlMap m, String why) throws ConfigException {
        if (m.has("monitor")) {
            throw m.error("monitor", "monitors go on exec resources only; " + why);
        }
        if (m.has("restart")) {
            throw m.error("restart", "restart goes with a monitor, on exec resources only; " + why);
        }
    }

    /** An optional bare host (an IPv6 literal with or without brackets), or null. */
    private static String host(YamlMap m, String key) throws ConfigException {
        String host = m.optionalString(key);
        if (host != null) {
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            String problem = HostPort.hostProblem(host);
            if (problem != null) {
                throw m.error(key, problem);
            }
        }
        return host;
    }

    private static Map<String, String> env(YamlMap envMap) throws ConfigException {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : envMap.entries()) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            if (!ENV_NAME.matcher(key).matches()) {
                throw envMap.error(key, "'" + key + "' is not a valid environment variable name;"
                        + " use letters, digits and '_', not starting with a digit");
            }
            if (key.startsWith(RESERVED_ENV_PREFIX)) {
                throw envMap.error(key, "names starting with " + RESERVED_ENV_PREFIX + " are reserved:"
                        + " Baton sets BATON_GROUP, BATON_NODE, BATON_EPOCH and BATON_RESOURCE itself");
            }
            // Strings only: YAML would turn 0755 into 493 and yes into true behind the operator's back.
            if (!value.isTextual()) {
                throw envMap.error(key, "must be a string, got " + YamlMap.describe(value)
                        + "; put the value in quotes");
            }
            env.put(key, value.textValue());
        }
        return env;
    }

    private static ProbePortResourceConfig probePort(YamlMap m) throws ConfigException {
        refuseMonitor(m, "the probe port is what the load balancer checks");
        m.allowOnly("type", "name", "port", "bind", "mode");
        String name = m.requiredName("name");
        int port = m.requiredInt("port", 1, 65535);
        String bind = host(m, "bind");
        ProbeMode mode = ProbeMode.TCP;
        String modeText = m.optionalString("mode");
        if (modeText != null) {
            mode = ProbeMode.fromYaml(modeText).orElseThrow(() -> m.error("mode",
                    "must be tcp or http, got '" + modeText + "'"));
        }
        return new ProbePortResourceConfig(name, port, bind, mode);
    }

    private static MirrorDiskResourceConfig mirrorDisk(YamlMap m) throws ConfigException {
        refuseMonitor(m, "the mirror disk is watched by its replication");
        m.allowOnly("type", "name", "data", "metadata", "size", "mount", "fstype", "resync_rate");
        String name = m.requiredName("name");
        String data = absolutePath(m, "data");
        String metadata = absolutePath(m, "metadata");
        String mount = absolutePath(m, "mount");
        long size = size(m, "size");
        if (size < MirrorDiskResourceConfig.MIN_SIZE_BYTES) {
            throw m.error("size", "must be at least " + SizeParser.format(MirrorDiskResourceConfig.MIN_SIZE_BYTES)
                    + ", got " + SizeParser.format(size));
        }
        if (size % MirrorDiskResourceConfig.BLOCK_SIZE_BYTES != 0) {
            throw m.error("size", "must be a multiple of 4KiB (the mirror's block size), got " + size + " bytes");
        }
        String fstype = m.optionalString("fstype");
        if (fstype == null) {
            fstype = MirrorDiskResourceConfig.DEFAULT_FSTYPE;
        } else if (!fstype.equals("ext4") && !fstype.equals("xfs")) {
            throw m.error("fstype", "must be ext4 or xfs, got '" + fstype + "'");
        }
        long rate = 0;
        String rateText = m.optionalString("resync_rate");
        if (rateText != null) {
            if (!rateText.endsWith("/s")) {
                throw m.error("resync_rate", "must be a size per second such as 100MiB/s, got '" + rateText + "'");
            }
            try {
                rate = SizeParser.parse(rateText.substring(0, rateText.length() - 2));
            } catch (IllegalArgumentException e) {
                throw m.error("resync_rate", e.getMessage());
            }
            if (rate == 0) {
                throw m.error("resync_rate", "must be more than 0/s; leave it out for no limit");
            }
        }
        return new MirrorDiskResourceConfig(name, data, metadata, size, mount, fstype, rate);
    }

    private static String absolutePath(YamlMap m, String key) throws ConfigException {
        String path = m.requiredString(key);
        if (!path.startsWith("/")) {
            throw m.error(key, "must be an absolute path, got '" + path + "'");
        }
        if (path.length() > 1 && path.endsWith("/")) {
            throw m.error(key, "must not end with '/', got '" + path + "'");
        }
        return path;
    }

    private static long size(YamlMap m, String key) throws ConfigException {
        try {
            return SizeParser.parse(m.requiredString(key));
        } catch (IllegalArgumentException e) {
            throw m.error(key, e.getMessage());
        }
    }
}
