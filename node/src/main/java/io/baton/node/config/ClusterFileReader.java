package io.baton.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the bound file ({@link ClusterFile}) into the model: required fields, names, formats and ranges
 * of each value on its own, and the defaults. Rules that relate values to each other are
 * {@link ClusterValidator}'s. Every error names its field path.
 */
final class ClusterFileReader {
    /** The {@code type} values of a resource, for messages. */
    static final List<String> RESOURCE_TYPES =
            List.of(ExecResourceConfig.TYPE, MirrorDiskResourceConfig.TYPE, ProbePortResourceConfig.TYPE);
    /** Cluster, node, group and resource names: safe in paths, URLs, logs and environment values. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}?");
    private static final Pattern PERCENT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)%");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String RESERVED_ENV_PREFIX = "BATON_";

    private final String source;

    private ClusterFileReader(String source) {
        this.source = source;
    }

    /** The model of the file whose tree is {@code root}, with no warnings yet. */
    static ClusterConfig read(JsonNode root, String source, Path file) throws ConfigException {
        if (root.isMissingNode()) {
            throw new ConfigException(source, null, "file is empty; expected the sections cluster, nodes and groups");
        }
        if (!root.isObject()) {
            throw new ConfigException(source, null, "must be a mapping with the sections cluster, nodes and groups, got "
                    + ConfigBinder.describe(root));
        }
        return new ClusterFileReader(source).read(ConfigBinder.bind(root, source), file);
    }

    private ConfigException error(String path, String problem) {
        return new ConfigException(source, path, problem);
    }

    private <T> T required(T value, String path) throws ConfigException {
        if (value == null) {
            throw error(path, "required field is missing");
        }
        return value;
    }

    private String name(String value, String path) throws ConfigException {
        required(value, path);
        if (!NAME.matcher(value).matches()) {
            throw error(path, "must contain only letters, digits, '.', '_' and '-', got '" + value + "'");
        }
        return value;
    }

    private <T> List<T> nonEmpty(List<T> list, String path, String items) throws ConfigException {
        required(list, path);
        if (list.isEmpty()) {
            throw error(path, "must list at least one " + items);
        }
        return list;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** A whole number in {@code [min, max]}, or {@code fallback} when absent (null: required). */
    private int number(BigInteger value, String path, int min, int max, Integer fallback) throws ConfigException {
        if (value == null) {
            return required(fallback, path);
        }
        boolean tooSmall = value.compareTo(BigInteger.valueOf(min)) < 0;
        if (tooSmall || value.compareTo(BigInteger.valueOf(max)) > 0) {
            // With no upper bound of its own, the only range worth naming is the lower bound.
            String range = max != Integer.MAX_VALUE ? "between " + min + " and " + max
                    : tooSmall ? "at least " + min : "at most " + max;
            throw error(path, "must be " + range + ", got " + value);
        }
        return value.intValue();
    }

    /** A string item of a list: an item is not a key, so it is read here rather than bound. */
    private String item(JsonNode item, String path) throws ConfigException {
        if (!item.isTextual()) {
            throw error(path, "must be a string, got " + ConfigBinder.describe(item));
        }
        if (item.textValue().isBlank()) {
            throw error(path, "must not be blank");
        }
        return item.textValue();
    }

    /** A mapping item of a list ({@code nodes: [~]} binds a null item). */
    private <T> T mapping(T item, String path) throws ConfigException {
        if (item == null) {
            throw error(path, "must be a mapping of keys to values, got no value");
        }
        return item;
    }

    private ClusterConfig read(ClusterFile.Root f, Path file) throws ConfigException {
        ClusterFile.Cluster c = required(f.cluster(), "cluster");
        String name = name(c.name(), "cluster.name");
        Duration heartbeat = required(c.heartbeatInterval(), "cluster.heartbeat_interval");
        Duration lease = required(c.lease(), "cluster.lease");
        double drift = maxClockDrift(c.maxClockDrift());
        Duration stopBudget = or(c.stopBudget(), ClusterConfig.defaultStopBudget(lease));
        TlsConfig tls = c.tls() == null ? null : tls(c.tls());

        List<NodeConfig> nodes = new ArrayList<>();
        List<ClusterFile.Node> nodeItems = nonEmpty(f.nodes(), "nodes", "node");
        for (int i = 0; i < nodeItems.size(); i++) {
            nodes.add(node(mapping(nodeItems.get(i), FieldPath.index("nodes", i)), FieldPath.index("nodes", i)));
        }
        List<GroupConfig> groups = new ArrayList<>();
        List<ClusterFile.Group> groupItems = or(f.groups(), List.of());
        for (int i = 0; i < groupItems.size(); i++) {
            groups.add(group(mapping(groupItems.get(i), FieldPath.index("groups", i)), FieldPath.index("groups", i)));
        }
        List<AlertConfig> alerts = new ArrayList<>();
        List<ClusterFile.Alert> alertItems = or(f.alerts(), List.of());
        for (int i = 0; i < alertItems.size(); i++) {
            alerts.add(alert(mapping(alertItems.get(i), FieldPath.index("alerts", i)), FieldPath.index("alerts", i)));
        }
        return new ClusterConfig(file, name, heartbeat, lease, drift,
                or(c.takeoverMargin(), ClusterConfig.DEFAULT_TAKEOVER_MARGIN), stopBudget,
                or(c.electionTimeout(), ClusterConfig.DEFAULT_ELECTION_TIMEOUT), nodes, groups, tls,
                or(c.insecure(), false), List.of(), alerts, "");
    }

    /** ρ, written as a fraction ({@code 0.01}) or a percentage ({@code "1%"}). */
    private double maxClockDrift(JsonNode value) throws ConfigException {
        String path = "cluster.max_clock_drift";
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
                throw error(path, "must be a fraction such as 0.01 or a percentage such as 1%, got " + ConfigBinder.describe(value));
            }
            drift = Double.parseDouble(m.group(1)) / 100;
            shown = value.textValue();
        }
        if (!(drift >= 0 && drift < 0.5)) {
            throw error(path, "must be at least 0 and less than 0.5 (50%), got " + shown);
        }
        return drift;
    }

    /** The {@code tls} block: three paths, each of which may use {@code ${node}} and no other variable. */
    private TlsConfig tls(ClusterFile.Tls t) throws ConfigException {
        String[] keys = {"ca", "cert", "key"};
        String[] values = {t.ca(), t.cert(), t.key()};
        for (int i = 0; i < keys.length; i++) {
            String path = "cluster.tls." + keys[i];
            required(values[i], path);
            Matcher variable = VARIABLE.matcher(values[i].replace(TlsConfig.NODE_VARIABLE, ""));
            if (variable.find()) {
                throw error(path, "unknown variable " + variable.group() + " in '" + values[i]
                        + "'; the only one is " + TlsConfig.NODE_VARIABLE);
            }
        }
        return new TlsConfig(values[0], values[1], values[2]);
    }

    private NodeConfig node(ClusterFile.Node n, String at) throws ConfigException {
        String id = name(n.id(), FieldPath.child(at, "id"));
        String roleText = required(n.role(), FieldPath.child(at, "role"));
        Role role = Role.fromYaml(roleText).orElseThrow(() -> error(FieldPath.child(at, "role"),
                "must be data or witness, got '" + roleText + "'"));
        HostPort raft = required(n.raft(), FieldPath.child(at, "raft"));
        if (HostPort.isWildcard(raft.host())) {
            throw error(FieldPath.child(at, "raft"), "must be an address the other nodes can reach, not the wildcard " + raft.host());
        }
        HostPort admin = required(n.admin(), FieldPath.child(at, "admin"));
        HostPort mirror = n.mirror();
        if (mirror != null && HostPort.isWildcard(mirror.host())) {
            throw error(FieldPath.child(at, "mirror"), "must be an address the other data nodes can reach, not the wildcard "
                    + mirror.host());
        }
        if (mirror != null && role != Role.DATA) {
            throw error(FieldPath.child(at, "mirror"), "a witness holds no replica; remove mirror from witness '" + id + "'");
        }
        return new NodeConfig(id, role, n.zone(), raft, admin, mirror, n.http());
    }

    private GroupConfig group(ClusterFile.Group g, String at) throws ConfigException {
        String name = name(g.name(), FieldPath.child(at, "name"));
        String nodesPath = FieldPath.child(at, "nodes");
        List<String> members = new ArrayList<>();
        List<JsonNode> memberItems = nonEmpty(g.nodes(), nodesPath, "node");
        for (int i = 0; i < memberItems.size(); i++) {
            members.add(item(memberItems.get(i), FieldPath.index(nodesPath, i)));
        }
        OnFailure onFailure = g.onFailure() == null ? OnFailure.FAILOVER : OnFailure.fromYaml(g.onFailure())
                .orElseThrow(() -> error(FieldPath.child(at, "on_failure"), "must be failover, stop or keep, got '" + g.onFailure() + "'"));
        FailoverLimit limit = g.failoverLimit() == null ? FailoverLimit.DEFAULT
                : new FailoverLimit(number(g.failoverLimit().max(), FieldPath.child(at, "failover_limit.max"), 1,
                        Integer.MAX_VALUE, FailoverLimit.DEFAULT.max()),
                        or(g.failoverLimit().within(), FailoverLimit.DEFAULT.within()));
        Failback failback = g.failback() == null ? Failback.NEVER : Failback.fromYaml(g.failback())
                .orElseThrow(() -> error(FieldPath.child(at, "failback"), "must be never or auto, got '" + g.failback() + "'"));
        String resourcesPath = FieldPath.child(at, "resources");
        List<ResourceConfig> resources = new ArrayList<>();
        List<ClusterFile.Resource> resourceItems = nonEmpty(g.resources(), resourcesPath, "resource");
        for (int i = 0; i < resourceItems.size(); i++) {
            resources.add(resource(mapping(resourceItems.get(i), FieldPath.index(resourcesPath, i)), FieldPath.index(resourcesPath, i)));
        }
        return new GroupConfig(name, members, or(g.autostart(), true), resources, onFailure, limit, failback,
                or(g.failbackAfter(), GroupConfig.DEFAULT_FAILBACK_AFTER), or(g.probeWait(), GroupConfig.DEFAULT_PROBE_WAIT));
    }

    private ResourceConfig resource(ClusterFile.Resource r, String at) throws ConfigException {
        if (r instanceof ClusterFile.Exec e) {
            return exec(e, at);
        }
        if (r instanceof ClusterFile.ProbePort p) {
            return probePort(p, at);
        }
        return mirrorDisk((ClusterFile.MirrorDisk) r, at);
    }

    private ExecResourceConfig exec(ClusterFile.Exec e, String at) throws ConfigException {
        String name = name(e.name(), FieldPath.child(at, "name"));
        String start = required(e.start(), FieldPath.child(at, "start"));
        String stop = required(e.stop(), FieldPath.child(at, "stop"));
        Duration timeout = or(e.timeout(), ExecResourceConfig.DEFAULT_TIMEOUT);
        Map<String, String> env = e.env() == null ? Map.of() : env(e.env(), FieldPath.child(at, "env"));
        if (e.restart() != null && e.monitor() == null) {
            throw error(FieldPath.child(at, "restart"), "only allowed together with a monitor: local restarts follow a failed monitor");
        }
        MonitorConfig monitor = e.monitor() == null ? null : monitor(e.monitor(), FieldPath.child(at, "monitor"));
        RestartPolicy restart = monitor == null ? null : e.restart() == null ? RestartPolicy.DEFAULT
                : new RestartPolicy(number(e.restart().max(), FieldPath.child(at, "restart.max"), 0, Integer.MAX_VALUE,
                        RestartPolicy.DEFAULT.max()), or(e.restart().within(), RestartPolicy.DEFAULT.within()));
        return new ExecResourceConfig(name, start, stop, timeout, or(e.stopTimeout(), timeout), env, monitor, restart);
    }

    private Map<String, String> env(Map<String, JsonNode> entries, String at) throws ConfigException {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : entries.entrySet()) {
            String key = entry.getKey();
            String path = FieldPath.child(at, key);
            if (!ENV_NAME.matcher(key).matches()) {
                throw error(path, "'" + key + "' is not a valid environment variable name;"
                        + " use letters, digits and '_', not starting with a digit");
            }
            if (key.startsWith(RESERVED_ENV_PREFIX)) {
                throw error(path, "names starting with " + RESERVED_ENV_PREFIX + " are reserved:"
                        + " Baton sets BATON_GROUP, BATON_NODE, BATON_EPOCH and BATON_RESOURCE itself");
            }
            // Strings only: YAML would turn 0755 into 493 and yes into true behind the operator's back.
            if (!entry.getValue().isTextual()) {
                throw error(path, "must be a string, got " + ConfigBinder.describe(entry.getValue()) + "; put the value in quotes");
            }
            env.put(key, entry.getValue().textValue());
        }
        return env;
    }

    /** An exec resource's {@code monitor}; its keys were checked against its type's when it was bound. */
    private MonitorConfig monitor(ClusterFile.Monitor m, String at) throws ConfigException {
        MonitorType type;
        String host = null;
        int port = 0;
        String path = null;
        Integer expectStatus = null;
        String expectBody = null;
        String command = null;
        if (m instanceof ClusterFile.TcpMonitor t) {
            type = MonitorType.TCP;
            host = host(t.host(), FieldPath.child(at, "host"));
            port = number(t.port(), FieldPath.child(at, "port"), 1, 65535, null);
        } else if (m instanceof ClusterFile.HttpMonitor h) {
            type = MonitorType.HTTP;
            host = host(h.host(), FieldPath.child(at, "host"));
            port = number(h.port(), FieldPath.child(at, "port"), 1, 65535, null);
            path = httpPath(h.path(), FieldPath.child(at, "path"));
            expectStatus = h.expectStatus() == null ? null
                    : number(h.expectStatus(), FieldPath.child(at, "expect_status"), 100, 599, null);
            expectBody = h.expectBody();
        } else {
            type = MonitorType.EXEC;
            command = required(((ClusterFile.ExecMonitor) m).command(), FieldPath.child(at, "command"));
        }
        Duration interval = or(m.interval(), MonitorConfig.DEFAULT_INTERVAL);
        Duration timeout;
        if (m.timeout() != null) {
            timeout = m.timeout();
            if (timeout.compareTo(interval) >= 0) {
                throw error(FieldPath.child(at, "timeout"), "must be shorter than interval (" + DurationParser.format(interval)
                        + "), got " + DurationParser.format(timeout));
            }
        } else {
            timeout = MonitorConfig.defaultTimeout(interval);
            if (timeout.isZero()) {
                throw error(FieldPath.child(at, "interval"), "must be at least 2ns, so that the default timeout (half the"
                        + " interval) is positive, got " + DurationParser.format(interval));
            }
        }
        int failures = number(m.failures(), FieldPath.child(at, "failures"), 1, Integer.MAX_VALUE, MonitorConfig.DEFAULT_FAILURES);
        return new MonitorConfig(type, host, port, path, expectStatus, expectBody, command, interval, timeout, failures,
                or(m.startGrace(), MonitorConfig.DEFAULT_START_GRACE));
    }

    /** An http monitor's GET path: the request target of the request line, so no spaces in it. */
    private String httpPath(String path, String at) throws ConfigException {
        if (path == null) {
            return MonitorConfig.DEFAULT_HTTP_PATH;
        }
        if (!path.startsWith("/")) {
            throw error(at, "must start with '/', got '" + path + "'");
        }
        if (path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw error(at, "must not contain spaces or control characters, got '" + path + "'");
        }
        return path;
    }

    /** An optional bare host (an IPv6 literal with or without brackets), or null. */
    private String host(String host, String at) throws ConfigException {
        if (host == null) {
            return null;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String problem = HostPort.hostProblem(bare);
        if (problem != null) {
            throw error(at, problem);
        }
        return bare;
    }

    private ProbePortResourceConfig probePort(ClusterFile.ProbePort p, String at) throws ConfigException {
        String name = name(p.name(), FieldPath.child(at, "name"));
        int port = number(p.port(), FieldPath.child(at, "port"), 1, 65535, null);
        String bind = host(p.bind(), FieldPath.child(at, "bind"));
        ProbeMode mode = p.mode() == null ? ProbeMode.TCP : ProbeMode.fromYaml(p.mode())
                .orElseThrow(() -> error(FieldPath.child(at, "mode"), "must be tcp or http, got '" + p.mode() + "'"));
        return new ProbePortResourceConfig(name, port, bind, mode);
    }

    private MirrorDiskResourceConfig mirrorDisk(ClusterFile.MirrorDisk d, String at) throws ConfigException {
        String name = name(d.name(), FieldPath.child(at, "name"));
        String data = absolutePath(d.data(), FieldPath.child(at, "data"));
        String metadata = absolutePath(d.metadata(), FieldPath.child(at, "metadata"));
        String mount = absolutePath(d.mount(), FieldPath.child(at, "mount"));
        String sizePath = FieldPath.child(at, "size");
        long size;
        try {
            size = SizeParser.parse(required(d.size(), sizePath));
        } catch (IllegalArgumentException e) {
            throw error(sizePath, e.getMessage());
        }
        if (size < MirrorDiskResourceConfig.MIN_SIZE_BYTES) {
            throw error(sizePath, "must be at least " + SizeParser.format(MirrorDiskResourceConfig.MIN_SIZE_BYTES)
                    + ", got " + SizeParser.format(size));
        }
        if (size % MirrorDiskResourceConfig.BLOCK_SIZE_BYTES != 0) {
            throw error(sizePath, "must be a multiple of 4KiB (the mirror's block size), got " + size + " bytes");
        }
        String fstype = or(d.fstype(), MirrorDiskResourceConfig.DEFAULT_FSTYPE);
        if (!fstype.equals("ext4") && !fstype.equals("xfs")) {
            throw error(FieldPath.child(at, "fstype"), "must be ext4 or xfs, got '" + fstype + "'");
        }
        long rate = 0;
        if (d.resyncRate() != null) {
            String ratePath = FieldPath.child(at, "resync_rate");
            String text = d.resyncRate();
            if (!text.endsWith("/s")) {
                throw error(ratePath, "must be a size per second such as 100MiB/s, got '" + text + "'");
            }
            try {
                rate = SizeParser.parse(text.substring(0, text.length() - 2));
            } catch (IllegalArgumentException e) {
                throw error(ratePath, e.getMessage());
            }
            if (rate == 0) {
                throw error(ratePath, "must be more than 0/s; leave it out for no limit");
            }
        }
        return new MirrorDiskResourceConfig(name, data, metadata, size, mount, fstype, rate);
    }

    private String absolutePath(String path, String at) throws ConfigException {
        required(path, at);
        if (!path.startsWith("/")) {
            throw error(at, "must be an absolute path, got '" + path + "'");
        }
        if (path.length() > 1 && path.endsWith("/")) {
            throw error(at, "must not end with '/', got '" + path + "'");
        }
        return path;
    }

    /** One alert: {@code {type: exec, command: ...}} or {@code {type: webhook, url: ...}}, optional events and timeout. */
    private AlertConfig alert(ClusterFile.Alert a, String at) throws ConfigException {
        Set<String> events = new LinkedHashSet<>();
        List<JsonNode> items = or(a.events(), List.of());
        String eventsPath = FieldPath.child(at, "events");
        for (int i = 0; i < items.size(); i++) {
            String itemPath = FieldPath.index(eventsPath, i);
            String kind = item(items.get(i), itemPath);
            if (!AlertConfig.KINDS.contains(kind)) {
                String hint = DidYouMean.closest(kind, AlertConfig.KINDS);
                throw error(itemPath, "unknown event kind '" + kind + "'"
                        + (hint == null ? "" : " (did you mean '" + hint + "'?)") + "; kinds: " + String.join(", ", AlertConfig.KINDS));
            }
            events.add(kind);
        }
        Duration timeout = or(a.timeout(), AlertConfig.DEFAULT_TIMEOUT);
        if (a instanceof ClusterFile.ExecAlert e) {
            return new AlertConfig(AlertConfig.Type.EXEC, required(e.command(), FieldPath.child(at, "command")), null, events, timeout);
        }
        String urlPath = FieldPath.child(at, "url");
        String text = required(((ClusterFile.WebhookAlert) a).url(), urlPath);
        java.net.URI url;
        try {
            url = new java.net.URI(text);
        } catch (java.net.URISyntaxException e) {
            throw error(urlPath, "is not a URL: " + e.getReason());
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw error(urlPath, "must be an http:// or https:// URL with a host, got '" + text + "'");
        }
        return new AlertConfig(AlertConfig.Type.WEBHOOK, null, url, events, timeout);
    }
}
