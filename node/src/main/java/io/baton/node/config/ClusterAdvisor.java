package io.baton.node.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds settings that are valid but probably not what the operator wants, chiefly clusters that
 * cannot fail over automatically because losing a data node also loses the Raft majority needed
 * to grant the takeover. These are warnings, not errors: a two-node lab setup is legitimate, as
 * long as the operator knows what it cannot do. Each warning reads {@code <field path>: <text>}.
 */
final class ClusterAdvisor {

    private ClusterAdvisor() {}

    static List<String> warnings(ClusterConfig config) {
        List<String> warnings = new ArrayList<>();
        timings(config, warnings);
        voters(config, warnings);
        groups(config, warnings);
        return warnings;
    }

    private static void timings(ClusterConfig config, List<String> warnings) {
        Duration heartbeat = config.heartbeatInterval();
        Duration lease = config.lease();
        Duration fourBeats = heartbeat.multipliedBy(4);
        if (lease.compareTo(fourBeats) < 0) {
            warnings.add("cluster.lease: lease " + fmt(lease) + " is less than 4 heartbeat intervals (4 × "
                    + fmt(heartbeat) + " = " + fmt(fourBeats) + "); a few late heartbeats in a row will let it run out");
        }
        if (lease.compareTo(config.electionTimeout()) <= 0) {
            warnings.add("cluster.lease: lease " + fmt(lease) + " is not longer than election_timeout "
                    + fmt(config.electionTimeout()) + "; leases may run out while Raft elects a new leader");
        }
    }

    private static void voters(ClusterConfig config, List<String> warnings) {
        List<NodeConfig> voters = config.nodes();
        List<NodeConfig> data = config.dataNodes();
        int count = voters.size();
        int majority = count / 2 + 1;
        String ids = String.join(", ", voters.stream().map(NodeConfig::id).toList());
        if (data.isEmpty()) {
            warnings.add("nodes: there is no data node, so no group can run anywhere");
        } else if (data.size() == 1) {
            warnings.add("nodes: only one data node ('" + data.get(0).id() + "'): there is no other node to fail over to");
        }
        // Every node votes, so losing any one data node leaves count - 1 voters.
        boolean majorityLostWithOneDataNode = !data.isEmpty() && count - 1 < majority;
        if (count == 2 && data.size() == 2) {
            warnings.add("nodes: only 2 voters (" + ids + "): losing either one leaves no Raft majority,"
                    + " so automatic failover needs a third voter (add a witness)");
        } else if (majorityLostWithOneDataNode) {
            warnings.add("nodes: only " + count + (count == 1 ? " voter" : " voters") + " (" + ids + "): losing a"
                    + " data node leaves no Raft majority (" + majority + " of " + count + " needed),"
                    + " so automatic failover needs more voters (add a witness)");
        } else if (count % 2 == 0) {
            warnings.add("nodes: " + count + " voters is an even number: a majority is " + majority
                    + ", so the cluster survives no more failures than with " + (count - 1)
                    + " voters; add a witness or remove a voter");
        }
    }

    private static void groups(ClusterConfig config, List<String> warnings) {
        if (config.groups().isEmpty()) {
            warnings.add("groups: no groups are defined, so the cluster coordinates nothing");
        }
        for (int g = 0; g < config.groups().size(); g++) {
            GroupConfig group = config.groups().get(g);
            if (group.nodes().size() == 1) {
                warnings.add(FieldPath.index("groups", g) + ".nodes: group '" + group.name()
                        + "' lists only one node, so it cannot fail over");
            }
            stopTimes(config, g, warnings);
        }
    }

    /**
     * A node that loses its lease fences {@code stop_budget} before the lease ends and then stops its
     * resources; after the lease (and the takeover margin) another node may start the group. A stop that
     * may run longer than the budget may still be running there: the probe port is closed first, so the
     * load balancer sends nothing, but the application itself may run on both nodes for a moment.
     */
    private static void stopTimes(ClusterConfig config, int g, List<String> warnings) {
        List<ResourceConfig> resources = config.groups().get(g).resources();
        for (int r = 0; r < resources.size(); r++) {
            // The default budget is a third of the lease: quote it to the millisecond, rounded down.
            Duration budget = config.stopBudget().truncatedTo(ChronoUnit.MILLIS);
            if (resources.get(r) instanceof ExecResourceConfig exec && exec.stopTimeout().compareTo(config.stopBudget()) > 0) {
                warnings.add(FieldPath.index(FieldPath.index("groups", g) + ".resources", r) + ".stop_timeout: resource '"
                        + exec.name() + "' may take up to " + fmt(exec.stopTimeout()) + " to stop, longer than"
                        + " cluster.stop_budget (" + fmt(budget) + "): after a lost lease it may still be"
                        + " stopping when another node starts the group; set stop_timeout (or timeout) to at most "
                        + fmt(budget) + ", or a longer lease and stop_budget");
            }
        }
    }

    private static String fmt(Duration duration) {
        return DurationParser.format(duration);
    }
}
