package io.baton.node.agent;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.NodeConfig;
import io.baton.node.mirror.MirrorDisks;
import io.baton.node.config.ProbePortResourceConfig;
import io.baton.node.config.ResourceConfig;
import io.baton.resources.Resource;
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
     * The runtimes of the groups {@code self} is a member of.
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
            List<Resource> resources = new ArrayList<>();
            for (ResourceConfig rc : g.resources()) {
                if (rc instanceof MirrorDiskResourceConfig disk) {
                    if (mirrors == null) {
                        throw new IllegalStateException("group " + g.name() + " has a mirror disk but no replicas are open");
                    }
                    resources.add(mirrors.resource(g, disk));
                    continue;
                }
                resources.add(create(rc, self, leaseLive));
            }
            runtimes.add(new GroupRuntime(g.name(), resources));
        }
        return runtimes;
    }

    private static Resource create(ResourceConfig rc, NodeConfig self, BooleanSupplier leaseLive) {
        if (rc instanceof ExecResourceConfig e) {
            return ExecResource.fromScripts(e.name(), e.start(), e.stop(), e.timeout(), e.env());
        }
        if (rc instanceof ProbePortResourceConfig p) {
            String bind = p.bind() != null ? p.bind() : self.raft().host();
            ProbeMode mode = ProbeMode.valueOf(p.mode().name());
            return new ProbePortResource(p.name(), bind, p.port(), mode, leaseLive);
        }
        throw new IllegalArgumentException("no driver for resource type " + rc.type());
    }
}
