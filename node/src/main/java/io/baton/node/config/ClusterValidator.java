package io.baton.node.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules that relate values of the cluster file to each other: timings against each other,
 * unique ids and addresses, group members that exist and may own groups, and probe ports that
 * neither come too early nor collide. Each value on its own was already checked by
 * {@link ClusterFileReader}; list positions in the model are those of the file, so field paths can
 * still be named exactly. The first problem found is reported.
 */
final class ClusterValidator {

    private final ClusterConfig config;
    private final String source;

    private ClusterValidator(ClusterConfig config, String source) {
        this.config = config;
        this.source = source;
    }

    static void validate(ClusterConfig config, String source) throws ConfigException {
        ClusterValidator validator = new ClusterValidator(config, source);
        validator.timings();
        validator.nodes();
        for (int g = 0; g < config.groups().size(); g++) {
            validator.group(g);
        }
        validator.probePorts();
        validator.mirrorPaths();
    }

    private void timings() throws ConfigException {
        Duration heartbeat = config.heartbeatInterval();
        Duration lease = config.lease();
        if (heartbeat.compareTo(lease) >= 0) {
            throw error("cluster.heartbeat_interval", "must be shorter than lease (" + fmt(lease) + "), got " + fmt(heartbeat));
        }
        Duration twoBeats = heartbeat.multipliedBy(2);
        if (lease.compareTo(twoBeats) < 0) {
            throw error("cluster.lease", "must be at least twice heartbeat_interval (2 × " + fmt(heartbeat)
                    + " = " + fmt(twoBeats) + "), got " + fmt(lease));
        }
        if (config.stopBudget().compareTo(lease) >= 0) {
            throw error("cluster.stop_budget", "must be shorter than lease (" + fmt(lease) + "), got "
                    + fmt(config.stopBudget()));
        }
        if (config.insecure() && config.tls() != null) {
            throw error("cluster.insecure", "is true but cluster.tls is set too: remove one of them");
        }
    }

    private void nodes() throws ConfigException {
        Map<String, Integer> ids = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        for (int i = 0; i < config.nodes().size(); i++) {
            NodeConfig node = config.nodes().get(i);
            String path = FieldPath.index("nodes", i);
            Integer earlier = ids.putIfAbsent(node.id(), i);
            if (earlier != null) {
                throw error(path + ".id", "duplicate node id '" + node.id() + "', also used by "
                        + FieldPath.index("nodes", earlier));
            }
            address(addresses, node.raft(), path + ".raft", node);
            address(addresses, node.admin(), path + ".admin", node);
            if (node.mirror() != null) {
                address(addresses, node.mirror(), path + ".mirror", node);
            }
            if (node.http() != null) {
                address(addresses, node.http(), path + ".http", node);
            }
        }
    }

    private void address(Map<String, String> used, HostPort address, String path, NodeConfig node)
            throws ConfigException {
        String key = address.normalizedHost() + ":" + address.port();
        String earlier = used.putIfAbsent(key, path + " (node '" + node.id() + "')");
        if (earlier != null) {
            throw error(path, "address " + address + " is already used by " + earlier
                    + "; every raft, admin, mirror and http address must be different");
        }
    }

    private void group(int g) throws ConfigException {
        GroupConfig group = config.groups().get(g);
        String path = FieldPath.index("groups", g);
        for (int earlier = 0; earlier < g; earlier++) {
            if (config.groups().get(earlier).name().equals(group.name())) {
                throw error(path + ".name", "duplicate group name '" + group.name() + "', also used by "
                        + FieldPath.index("groups", earlier));
            }
        }
        members(group, path + ".nodes");
        resources(group, path + ".resources");
    }

    private void members(GroupConfig group, String path) throws ConfigException {
        for (int i = 0; i < group.nodes().size(); i++) {
            String id = group.nodes().get(i);
            String itemPath = FieldPath.index(path, i);
            Optional<NodeConfig> node = config.node(id);
            if (node.isEmpty()) {
                throw error(itemPath, "unknown node '" + id + "'; known nodes: " + String.join(", ",
                        config.nodes().stream().map(NodeConfig::id).toList()));
            }
            if (!node.get().isData()) {
                throw error(itemPath, "witness '" + id + "' cannot be a member of a group: witnesses vote but own nothing");
            }
            int first = group.nodes().indexOf(id);
            if (first < i) {
                throw error(itemPath, "node '" + id + "' is listed twice, also at " + FieldPath.index(path, first));
            }
        }
    }

    private void resources(GroupConfig group, String path) throws ConfigException {
        List<ResourceConfig> resources = group.resources();
        int probe = -1;
        for (int i = 0; i < resources.size(); i++) {
            ResourceConfig resource = resources.get(i);
            for (int earlier = 0; earlier < i; earlier++) {
                if (resources.get(earlier).name().equals(resource.name())) {
                    throw error(FieldPath.index(path, i) + ".name", "duplicate resource name '" + resource.name()
                            + "' in group '" + group.name() + "', also used by " + FieldPath.index(path, earlier));
                }
            }
            if (resource instanceof ProbePortResourceConfig) {
                if (probe >= 0) {
                    throw error(FieldPath.index(path, i), "group '" + group.name() + "' already has probe_port '"
                            + resources.get(probe).name() + "' at " + FieldPath.index(path, probe)
                            + "; a group may have at most one probe_port");
                }
                probe = i;
            }
        }
        mirrorDisks(group, path);
        if (probe >= 0 && probe != resources.size() - 1) {
            throw error(FieldPath.index(path, probe), "probe_port '" + resources.get(probe).name()
                    + "' must be the last resource, so that it opens only after everything else is up");
        }
    }

    /**
     * A mirror disk comes before the resources that use it, has exactly one peer (the replication
     * keeps one dirty bitmap, for one peer), and every member must say where its replica listens.
     */
    private void mirrorDisks(GroupConfig group, String path) throws ConfigException {
        List<ResourceConfig> resources = group.resources();
        int mirror = -1;
        for (int i = 0; i < resources.size(); i++) {
            if (!(resources.get(i) instanceof MirrorDiskResourceConfig)) {
                continue;
            }
            String itemPath = FieldPath.index(path, i);
            if (mirror >= 0) {
                throw error(itemPath, "group '" + group.name() + "' already has mirror_disk '"
                        + resources.get(mirror).name() + "' at " + FieldPath.index(path, mirror)
                        + "; a group may have at most one mirror_disk");
            }
            mirror = i;
            for (int before = 0; before < i; before++) {
                if (resources.get(before) instanceof ExecResourceConfig exec) {
                    throw error(itemPath, "mirror_disk '" + resources.get(i).name() + "' must come before exec '"
                            + exec.name() + "' (" + FieldPath.index(path, before) + "): the application starts"
                            + " after its disk is mounted and stops before it is unmounted");
                }
            }
            if (group.nodes().size() != 2) {
                throw error(itemPath, "a group with a mirror_disk needs exactly two data nodes (an owner and"
                        + " its mirror), group '" + group.name() + "' has " + group.nodes().size());
            }
            for (String member : group.nodes()) {
                NodeConfig node = config.node(member).orElseThrow();
                if (node.mirror() == null) {
                    int n = config.nodes().indexOf(node);
                    throw error(FieldPath.index("nodes", n), "node '" + member + "' is a member of group '"
                            + group.name() + "', which has a mirror_disk: give it a mirror address"
                            + " (mirror: host:port), where the owner sends its writes");
                }
            }
        }
    }

    /** Two mirror disks that would share a file on the same node would destroy each other's data. */
    private void mirrorPaths() throws ConfigException {
        for (NodeConfig node : config.nodes()) {
            Map<String, String> used = new HashMap<>();
            for (int g = 0; g < config.groups().size(); g++) {
                GroupConfig group = config.groups().get(g);
                if (!group.nodes().contains(node.id())) {
                    continue;
                }
                for (int r = 0; r < group.resources().size(); r++) {
                    if (group.resources().get(r) instanceof MirrorDiskResourceConfig disk) {
                        String base = FieldPath.index(FieldPath.index("groups", g) + ".resources", r);
                        for (String field : List.of("data", "metadata", "mount")) {
                            String raw = field.equals("data") ? disk.data()
                                    : field.equals("metadata") ? disk.metadata() : disk.mount();
                            String resolved = MirrorDiskResourceConfig.forNode(raw, node.id());
                            String earlier = used.putIfAbsent(resolved, base + "." + field);
                            if (earlier != null) {
                                throw error(base + "." + field, "path " + resolved + " on node '" + node.id()
                                        + "' is also used by " + earlier + "; each mirror disk needs its own"
                                        + " data, metadata and mount paths");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Two probes collide when they could listen on the same node, port and address. That is decided
     * per node, with each probe's bind resolved as it will be on that node: groups that share no
     * node may reuse a port, and a wildcard bind overlaps every address.
     */
    private void probePorts() throws ConfigException {
        for (int n = 0; n < config.nodes().size(); n++) {
            NodeConfig node = config.nodes().get(n);
            List<ProbeUse> uses = new ArrayList<>();
            for (int g = 0; g < config.groups().size(); g++) {
                GroupConfig group = config.groups().get(g);
                if (!group.nodes().contains(node.id())) {
                    continue;
                }
                for (int r = 0; r < group.resources().size(); r++) {
                    if (group.resources().get(r) instanceof ProbePortResourceConfig probe) {
                        ProbeUse use = new ProbeUse(group, probe, FieldPath.index(FieldPath.index("groups", g) + ".resources", r),
                                probe.bindOn(node));
                        checkAgainstNode(use, node, n);
                        for (ProbeUse other : uses) {
                            if (use.overlaps(other.host(), other.probe().port())) {
                                throw error(use.path() + ".port", "port " + probe.port() + " on node '" + node.id()
                                        + "' (" + bindText(use) + ") is also used by " + other.path()
                                        + ", probe_port '" + other.probe().name() + "' of group '" + other.group().name() + "'");
                            }
                        }
                        uses.add(use);
                    }
                }
            }
        }
    }

    private void checkAgainstNode(ProbeUse use, NodeConfig node, int n) throws ConfigException {
        String nodePath = FieldPath.index("nodes", n);
        for (String field : List.of("raft", "admin")) {
            HostPort address = field.equals("raft") ? node.raft() : node.admin();
            if (use.overlaps(address.host(), address.port())) {
                throw error(use.path() + ".port", "port " + use.probe().port() + " on node '" + node.id() + "' ("
                        + bindText(use) + ") collides with " + nodePath + "." + field + " (" + address + ")");
            }
        }
    }

    private static String bindText(ProbeUse use) {
        return use.probe().bind() == null ? "bind defaults to the node's raft host " + use.host() : "bind " + use.host();
    }

    /** A probe port as it would listen on one particular node. */
    private record ProbeUse(GroupConfig group, ProbePortResourceConfig probe, String path, String host) {
        boolean overlaps(String otherHost, int otherPort) {
            return probe.port() == otherPort
                    && (HostPort.isWildcard(host) || HostPort.isWildcard(otherHost)
                        || HostPort.normalize(host).equals(HostPort.normalize(otherHost)));
        }
    }

    private ConfigException error(String path, String problem) {
        return new ConfigException(source, path, problem);
    }

    private static String fmt(Duration duration) {
        return DurationParser.format(duration);
    }
}
