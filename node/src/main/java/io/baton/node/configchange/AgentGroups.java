package io.baton.node.configchange;

import io.baton.node.agent.GroupRuntime;
import io.baton.node.agent.NodeAgent;
import io.baton.node.agent.ResourceFactory;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.NodeConfig;
import io.baton.node.membership.GroupMembership;
import io.baton.node.mirror.MirrorDisks;
import io.baton.proto.MembershipProto;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the agent's group runtimes in line with what the cluster runs by: the groups of the applied
 * configuration (or the cluster file's) that the live membership makes this node a member of. A group
 * new here gets a runtime; one whose monitors or policy changed is retuned in place; one whose resources
 * changed is rebuilt, and one this node no longer runs is dropped, each once nothing of it runs here.
 */
public final class AgentGroups {
    private final NodeConfig self;
    private final NodeAgent agent;
    private final MirrorDisks mirrors;
    /** What each of the agent's runtimes was built from. */
    private final Map<String, GroupConfig> built = new LinkedHashMap<>();

    /** @param atStart the groups the agent's runtimes were built from when the daemon started */
    public AgentGroups(NodeConfig self, NodeAgent agent, MirrorDisks mirrors, List<GroupConfig> atStart) {
        this.self = self;
        this.agent = agent;
        this.mirrors = mirrors;
        atStart.stream().filter(g -> agent.hasGroup(g.name())).forEach(g -> built.put(g.name(), g));
    }

    /**
     * Brings the runtimes in line with {@code running} and {@code live}; true once they all are, false if
     * a group to rebuild or drop still runs here (the caller tries again later).
     */
    public synchronized boolean reconcile(ClusterConfig running, MembershipProto live) {
        if (!self.isData()) {
            return true;
        }
        boolean done = true;
        Set<String> wanted = new HashSet<>();
        GroupMembership members = GroupMembership.of(live);
        for (GroupConfig g : running.groups()) {
            if (!members.members(g).contains(self.id())) {
                continue;
            }
            wanted.add(g.name());
            GroupConfig was = built.get(g.name());
            if (was == null || !agent.hasGroup(g.name())) {
                agent.addGroup(runtime(g));
                built.put(g.name(), g);
                continue;
            }
            switch (ConfigDiff.kind(was, g)) {
                case SAME -> {
                }
                case RETUNED -> {
                    agent.retune(runtime(g));
                    built.put(g.name(), g);
                }
                default -> {
                    if (agent.replaceGroup(runtime(g))) {
                        built.put(g.name(), g);
                    } else {
                        done = false;
                    }
                }
            }
        }
        for (String name : List.copyOf(built.keySet())) {
            if (!wanted.contains(name)) {
                if (agent.removeGroup(name)) {
                    built.remove(name);
                } else {
                    done = false;
                }
            }
        }
        return done;
    }

    private GroupRuntime runtime(GroupConfig g) {
        return ResourceFactory.groupRuntime(g, self, agent::leaseLive, mirrors);
    }
}
