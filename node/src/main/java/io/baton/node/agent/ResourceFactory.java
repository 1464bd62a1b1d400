package io.baton.node.agent;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.NodeConfig;
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
        List<GroupRuntime> runtimes = new ArrayList<>();
        for (GroupConfig g : config.groups()) {
            if (!g.nodes().contains(self.id())) {
                continue;
            }
            List<Resource> resources = new ArrayList<>();
            for (ResourceConfig rc : g.resources()) {
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
