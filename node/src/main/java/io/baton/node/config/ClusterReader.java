package io.baton.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML tree into the typed model: the shape of the file (known keys, required fields,
 * types) and each value on its own (formats, ranges, defaults). Rules that relate values to each
 * other are {@link ClusterValidator}'s, so that this class stays a plain map of the file's layout.
 */
final class ClusterReader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}?");
    private static final Pattern PERCENT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)%");

    private ClusterReader() {}

    /** The model, with no warnings yet. */
    static ClusterConfig read(JsonNode root, String source, Path file) throws ConfigException {
        if (root.isMissingNode()) {
            throw new ConfigException(source, null, "file is empty; expected the sections cluster, nodes and groups");
        }
        if (!root.isObject()) {
            throw new ConfigException(source, null, "must be a mapping with the sections cluster, nodes and groups, got "
                    + YamlMap.describe(root));
        }
        YamlMap top = YamlMap.of(root, "", source);
        top.allowOnly("cluster", "nodes", "groups", "alerts");

        YamlMap cluster = top.requiredMap("cluster");
        cluster.allowOnly("name", "heartbeat_interval", "lease", "max_clock_drift", "takeover_margin",
                "stop_budget", "election_timeout", "tls", "insecure");
        String name = cluster.requiredName("name");
        Duration heartbeat = cluster.requiredDuration("heartbeat_interval");
        Duration lease = cluster.requiredDuration("lease");
        double drift = maxClockDrift(cluster);
        Duration takeoverMargin = cluster.optionalDuration("takeover_margin", ClusterConfig.DEFAULT_TAKEOVER_MARGIN);
        Duration stopBudget = cluster.optionalDuration("stop_budget", ClusterConfig.defaultStopBudget(lease));
        Duration electionTimeout = cluster.optionalDuration("election_timeout", ClusterConfig.DEFAULT_ELECTION_TIMEOUT);
        TlsConfig tls = tls(cluster);
        boolean insecure = cluster.optionalBoolean("insecure", false);

        List<NodeConfig> nodes = new ArrayList<>();
        List<JsonNode> nodeItems = top.requiredList("nodes", "node");
        for (int i = 0; i < nodeItems.size(); i++) {
            nodes.add(node(YamlMap.of(nodeItems.get(i), FieldPath.index("nodes", i), source)));
        }

        List<GroupConfig> groups = new ArrayList<>();
        List<JsonNode> groupItems = top.optionalList("groups");
        for (int i = 0; i < groupItems.size(); i++) {
            groups.add(group(YamlMap.of(groupItems.get(i), FieldPath.index("groups", i), source)));
        }

        List<AlertConfig> alerts = new ArrayList<>();
        List<JsonNode> alertItems = top.optionalList("alerts");
        for (int i = 0; i < alertItems.size(); i++) {
            alerts.add(alert(YamlMap.of(alertItems.get(i), FieldPath.index("alerts", i), source)));
        }

        return new ClusterConfig(file, name, heartbeat, lease, drift, takeoverMargin, stopBudget,
                electionTimeout, nodes, groups, tls, insecure, List.of(), alerts, "");
    }

    /** One alert: {@code {type: exec, command: ...}} or {@code {type: webhook, url: ...}}, optional events and timeout. */
    private static AlertConfig alert(YamlMap m) throws ConfigException {
        String type = m.requiredString("type");
        java.util.Set<String> events = new java.util.LinkedHashSet<>();
        List<JsonNode> items = m.optionalList("events");
        for (int i = 0; i < items.size(); i++) {
            String itemPath = FieldPath.index(m.pathOf("events"), i);
            String kind = m.stringItem(items.get(i), itemPath);
            if (!AlertConfig.KINDS.contains(kind)) {
                String hint = DidYouMean.closest(kind, AlertConfig.KINDS);
                throw new ConfigException(m.source(), itemPath, "unknown event kind '" + kind + "'"
                        + (hint == null ? "" : " (did you mean '" + hint + "'?)") + "; kinds: " + String.join(", ", AlertConfig.KINDS));
            }
            events.add(kind);
        }
        java.time.Duration timeout = m.optionalDuration("timeout", AlertConfig.DEFAULT_TIMEOUT);
        switch (type) {
            case "exec" -> {
                m.allowOnly("type", "command", "events", "timeout");
                return new AlertConfig(AlertConfig.Type.EXEC, m.requiredString("command"), null, events, timeout);
            }
            case "webhook" -> {
                m.allowOnly("type", "url", "events", "timeout");
                String text = m.requiredString("url");
                java.net.URI url;
                try {
                    url = new java.net.URI(text);
                } catch (java.net.URISyntaxException e) {
                    throw m.error("url", "is not a URL: " + e.getReason());
                }
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                    throw m.error("url", "must be an http:// or https:// URL with a host, got '" + text + "'");
                }
                return new AlertConfig(AlertConfig.Type.WEBHOOK, null, url, events, timeout);
            }
            default -> throw m.error("type", "must be exec or webhook, got '" + type + "'");
        }
    }

    /** The {@code tls} block: three paths, each of which may use {@code ${node}} and no other variable. */
    private static TlsConfig tls(YamlMap cluster) throws ConfigException {
        YamlMap tls = cluster.optionalMap("tls");
        if (tls == null) {
            return null;
        }
        tls.allowOnly("ca", "cert", "key");
        String[] paths = new String[3];
        String[] keys = {"ca", "cert", "key"};
        for (int i = 0; i < keys.length; i++) {
            String path = tls.requiredString(keys[i]);
            Matcher variable = VARIABLE.matcher(path.replace(TlsConfig.NODE_VARIABLE, ""));
            if (variable.find()) {
                throw tls.error(keys[i], "unknown variable " + variable.group() + " in '" + path
                        + "'; the only one is " + TlsConfig.NODE_VARIABLE);
            }
            paths[i] = path;
        }
        return new TlsConfig(paths[0], paths[1], paths[2]);
    }

    /** ρ, written as a fraction ({@code 0.01}) or a percentage ({@code "1%"}). */
    private static double maxClockDrift(YamlMap cluster) throws ConfigException {
        String key = "max_clock_drift";
        JsonNode value = cluster.optionalValue(key);
        if (value == null) {
            return ClusterConfig.DEFAULT_MAX_CLOCK_DRIFT;
        }
        double drift;
        String shown;
        if (value.isNumber()) {
            drift = value.doubleValue();
            shown = value.asText();
        } else {
            Matcher m = value.isTextual() ? PERCENT.matcher(value.textValue()) : null;
            if (m == null || !m.matches()) {
                throw cluster.error(key, "must be a fraction such as 0.01 or a percentage such as 1%, got "
                        + YamlMap.describe(value));
            }
            drift = Double.parseDouble(m.group(1)) / 100;
            shown = value.textValue();
        }
        if (!(drift >= 0 && drift < 0.5)) {
            throw cluster.error(key, "must be at least 0 and less than 0.5 (50%), got " + shown);
        }
        return drift;
    }

    private static NodeConfig node(YamlMap m) throws ConfigException {
        m.allowOnly("id", "role", "zone", "raft", "admin", "mirror", "http");
        String id = m.requiredName("id");
        String roleText = m.requiredString("role");
        Role role = Role.fromYaml(roleText).orElseThrow(() -> m.error("role",
                "must be data or witness, got '" + roleText + "'"));
        String zone = m.optionalString("zone");
        HostPort raft = m.requiredHostPort("raft");
        if (HostPort.isWildcard(raft.host())) {
            throw m.error("raft", "must be an address the other nodes can reach, not the wildcard " + raft.host());
        }
        HostPort admin = m.requiredHostPort("admin");
        HostPort mirror = m.has("mirror") ? m.requiredHostPort("mirror") : null;
        if (mirror != null && HostPort.isWildcard(mirror.host())) {
            throw m.error("mirror", "must be an address the other data nodes can reach, not the wildcard " + mirror.host());
        }
        if (mirror != null && role != Role.DATA) {
            throw m.error("mirror", "a witness holds no replica; remove mirror from witness '" + id + "'");
        }
        HostPort http = m.has("http") ? m.requiredHostPort("http") : null;
        return new NodeConfig(id, role, zone, raft, admin, mirror, http);
    }

    private static GroupConfig group(YamlMap m) throws ConfigException {
        m.allowOnly("name", "nodes", "autostart", "on_failure", "failover_limit", "failback", "failback_after",
                "probe_wait", "resources");
        String name = m.requiredName("name");
        List<String> members = new ArrayList<>();
        List<JsonNode> memberItems = m.requiredList("nodes", "node");
        for (int i = 0; i < memberItems.size(); i++) {
            members.add(m.stringItem(memberItems.get(i), FieldPath.index(m.pathOf("nodes"), i)));
        }
        boolean autostart = m.optionalBoolean("autostart", true);
        OnFailure onFailure = OnFailure.FAILOVER;
        String onFailureText = m.optionalString("on_failure");
        if (onFailureText != null) {
            onFailure = OnFailure.fromYaml(onFailureText).orElseThrow(() -> m.error("on_failure",
                    "must be failover, stop or keep, got '" + onFailureText + "'"));
        }
        YamlMap limitMap = m.optionalMap("failover_limit");
        FailoverLimit failoverLimit = limitMap == null ? FailoverLimit.DEFAULT : failoverLimit(limitMap);
        Failback failback = Failback.NEVER;
        String failbackText = m.optionalString("failback");
        if (failbackText != null) {
            failback = Failback.fromYaml(failbackText).orElseThrow(() -> m.error("failback",
                    "must be never or auto, got '" + failbackText + "'"));
        }
        Duration failbackAfter = m.optionalDuration("failback_after", GroupConfig.DEFAULT_FAILBACK_AFTER);
        // 0 turns the warning off.
        Duration probeWait = m.optionalDurationOrZero("probe_wait", GroupConfig.DEFAULT_PROBE_WAIT);
        List<ResourceConfig> resources = new ArrayList<>();
        List<JsonNode> resourceItems = m.requiredList("resources", "resource");
        for (int i = 0; i < resourceItems.size(); i++) {
            resources.add(ResourceReader.read(
                    YamlMap.of(resourceItems.get(i), FieldPath.index(m.pathOf("resources"), i), m.source())));
        }
        return new GroupConfig(name, members, autostart, resources, onFailure, failoverLimit, failback, failbackAfter,
                probeWait);
    }

    private static FailoverLimit failoverLimit(YamlMap m) throws ConfigException {
        m.allowOnly("max", "within");
        int max = m.optionalInt("max", 1, Integer.MAX_VALUE, FailoverLimit.DEFAULT.max());
        Duration within = m.optionalDuration("within", FailoverLimit.DEFAULT.within());
        return new FailoverLimit(max, within);
    }
}
