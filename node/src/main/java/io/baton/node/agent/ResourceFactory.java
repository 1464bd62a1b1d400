package io.baton.node.agent;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.NodeConfig;
import io.baton.node.mirror.MirrorDisks;
import io.baton.node.config.ProbePortResourceConfig;
import io.baton.node.config.ResourceConfig;
import io.baton.coordinator.agent.MonitorSpec;
import io.baton.coordinator.agent.PlanPolicy;
import io.baton.node.config.MonitorConfig;
import io.baton.node.config.OnFailure;
import io.baton.resources.Resource;
import io.baton.resources.monitor.ExecCheck;
import io.baton.resources.monitor.HealthCheck;
import io.baton.resources.monitor.HttpCheck;
import io.baton.resources.monitor.TcpCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import io.baton.resources.exec.ExecResource;
import io.baton.resources.probeport.ProbeMode;
import io.baton.resources.probeport.ProbePortResource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Turns the cluster file's resource entries into drivers for one node. */
public final class ResourceFactory {
    private ResourceFactory() {}

    /**
     * The runtimes of the groups {@code self} is a member of in the cluster file. A group it becomes a
     * member of later (batonctl node replace) gets its runtime then ({@link #groupRuntime}).
     *
     * @param leaseLive whether this node's lease is live now: an HTTP probe answers 200 only then, and a
     *                  TCP probe accepted after it ended closes the port at once
     */
    public static List<GroupRuntime> groupsFor(ClusterConfig config, NodeConfig self,
                                               BooleanSupplier leaseLive) {
        return groupsFor(config, self, leaseLive, null);
    }

    /**
     * @param mirrors this node's mirror replicas; may be null when no group has a mirror disk
     */
    public static List<GroupRuntime> groupsFor(ClusterConfig config, NodeConfig self,
                                               BooleanSupplier leaseLive, MirrorDisks mirrors) {
        List<GroupRuntime> runtimes = new ArrayList<>();
        for (GroupConfig g : config.groups()) {
            if (!g.nodes().contains(self.id())) {
                continue;
            }
            runtimes.add(groupRuntime(g, self, leaseLive, mirrors));
        }
        return runtimes;
    }

    /** The runtime of group {@code g} on {@code self}, whatever the cluster file says its members are. */
    public static GroupRuntime groupRuntime(GroupConfig g, NodeConfig self, BooleanSupplier leaseLive, MirrorDisks mirrors) {
        List<Resource> resources = new ArrayList<>();
        List<ResourceMonitor> monitors = new ArrayList<>();
        List<MonitorSpec> specs = new ArrayList<>();
        for (ResourceConfig rc : g.resources()) {
            monitors.add(monitor(g, rc, self));
            specs.add(rc instanceof ExecResourceConfig e && e.monitor() != null ? spec(e) : null);
            if (rc instanceof MirrorDiskResourceConfig disk) {
                if (mirrors == null) {
                    throw new IllegalStateException("group " + g.name() + " has a mirror disk but no replicas are open");
                }
                resources.add(mirrors.resource(g, disk));
                continue;
            }
            resources.add(create(rc, self, leaseLive));
        }
        PlanPolicy policy = new PlanPolicy(resources.stream().map(Resource::name).toList(), specs,
                GroupRuntime.probeIndex(resources), g.onFailure() == OnFailure.KEEP, g.probeWait().toNanos());
        return new GroupRuntime(g.name(), resources, monitors, policy);
    }

    /** What the plan needs of an exec resource's monitor and restart policy. */
    static MonitorSpec spec(ExecResourceConfig e) {
        MonitorConfig m = e.monitor();
        return new MonitorSpec(m.failures(), m.startGrace().toNanos(), e.restart().max(), e.restart().within().toNanos());
    }

    /** The check of an exec resource's monitor, or null; tcp and http default to the probe port's bind address. */
    static ResourceMonitor monitor(GroupConfig g, ResourceConfig rc, NodeConfig self) {
        if (!(rc instanceof ExecResourceConfig e) || e.monitor() == null) {
            return null;
        }
        MonitorConfig m = e.monitor();
        String host = m.host() != null ? m.host() : probeBind(g, self);
        HealthCheck check = switch (m.type()) {
            case TCP -> new TcpCheck(host, m.port());
            case HTTP -> new HttpCheck(host, m.port(), m.path(), m.expectStatus(), m.expectBody());
            case EXEC -> {
                Map<String, String> env = new LinkedHashMap<>(e.env());
                env.put("BATON_GROUP", g.name());
                env.put("BATON_NODE", self.id());
                env.put("BATON_RESOURCE", e.name());
                yield new ExecCheck(m.command(), env);
            }
        };
        return new ResourceMonitor(check, m.interval(), m.timeout());
    }

    /** Where the group's probe port listens on this node: where its application is expected too. */
    private static String probeBind(GroupConfig g, NodeConfig self) {
        return g.resources().stream().filter(r -> r instanceof ProbePortResourceConfig)
                .map(r -> ((ProbePortResourceConfig) r).bind()).filter(java.util.Objects::nonNull)
                .findFirst().orElse(self.raft().host());
    }

    private static Resource create(ResourceConfig rc, NodeConfig self, BooleanSupplier leaseLive) {
        if (rc instanceof ExecResourceConfig e) {
            return ExecResource.fromScripts(e.name(), e.start(), e.stop(), e.timeout(), e.stopTimeout(), e.env());
        }
        if (rc instanceof ProbePortResourceConfig p) {
            String bind = p.bind() != null ? p.bind() : self.raft().host();
            ProbeMode mode = ProbeMode.valueOf(p.mode().name());
            return new ProbePortResource(p.name(), bind, p.port(), mode, leaseLive);
        }
        throw new IllegalArgumentException("no driver for resource type " + rc.type());
    }
}
