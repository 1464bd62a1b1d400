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
    static final List<String> TYPES = List.of(ExecResourceConfig.TYPE, ProbePortResourceConfig.TYPE);

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String RESERVED_ENV_PREFIX = "BATON_";

    private ResourceReader() {}

    static ResourceConfig read(YamlMap resource) throws ConfigException {
        String type = resource.requiredString("type");
        return switch (type) {
            case ExecResourceConfig.TYPE -> exec(resource);
            case ProbePortResourceConfig.TYPE -> probePort(resource);
            default -> throw resource.error("type",
                    "unknown resource type '" + type + "'; known types: " + String.join(", ", TYPES));
        };
    }

    private static ExecResourceConfig exec(YamlMap m) throws ConfigException {
        m.allowOnly("type", "name", "start", "stop", "timeout", "env");
        String name = m.requiredName("name");
        String start = m.requiredString("start");
        String stop = m.requiredString("stop");
        Duration timeout = m.optionalDuration("timeout", ExecResourceConfig.DEFAULT_TIMEOUT);
        YamlMap envMap = m.optionalMap("env");
        Map<String, String> env = envMap == null ? Map.of() : env(envMap);
        return new ExecResourceConfig(name, start, stop, timeout, env);
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
        m.allowOnly("type", "name", "port", "bind", "mode");
        String name = m.requiredName("name");
        int port = m.requiredInt("port", 1, 65535);
        String bind = m.optionalString("bind");
        if (bind != null) {
            if (bind.startsWith("[") && bind.endsWith("]")) {
                bind = bind.substring(1, bind.length() - 1);
            }
            String problem = HostPort.hostProblem(bind);
            if (problem != null) {
                throw m.error("bind", problem);
            }
        }
        ProbeMode mode = ProbeMode.TCP;
        String modeText = m.optionalString("mode");
        if (modeText != null) {
            mode = ProbeMode.fromYaml(modeText).orElseThrow(() -> m.error("mode",
                    "must be tcp or http, got '" + modeText + "'"));
        }
        return new ProbePortResourceConfig(name, port, bind, mode);
    }
}
