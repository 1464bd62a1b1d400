package io.baton.node.membership;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.HostPort;
import io.baton.node.config.NodeConfig;
import io.baton.proto.GroupMembersProto;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import java.util.List;
import java.util.Optional;

/** Reading the membership: the cluster file's as a {@link MembershipProto}, and lookups in one. */
public final class Members {
    private Members() {
    }

    /** The cluster file's nodes and groups, as the membership before any change (version 0). */
    public static MembershipProto bootstrap(ClusterConfig config) {
        MembershipProto.Builder b = MembershipProto.newBuilder();
        config.nodes().forEach(n -> b.addNodes(member(n)));
        for (GroupConfig g : config.groups()) {
            b.addGroups(GroupMembersProto.newBuilder().setGroup(g.name()).addAllMembers(g.nodes()));
        }
        return b.build();
    }

    /** The membership the cluster runs by: the replicated one if an operator set one, else the file's. */
    public static MembershipProto live(ClusterConfig config, Optional<MembershipProto> replicated) {
        return replicated.orElseGet(() -> bootstrap(config));
    }

    public static MemberProto member(NodeConfig n) {
        return MemberProto.newBuilder().setId(n.id()).setWitness(!n.isData())
                .setZone(n.zone() == null ? "" : n.zone()).setRaft(n.raft().toString()).setAdmin(n.admin().toString())
                .setMirror(n.mirror() == null ? "" : n.mirror().toString())
                .setHttp(n.http() == null ? "" : n.http().toString()).build();
    }

    /**
     * The node an operator asked to add, checked: a name, a role, parseable addresses (a mirror
     * address for a data node is optional: only a member of a mirrored group needs one).
     */
    public static MemberProto fromRequest(io.baton.proto.admin.NewNode n) throws MembershipPlan.Refused {
        if (n.getId().isEmpty()) {
            throw new MembershipPlan.Refused("the new node needs an id");
        }
        if (!n.getId().matches("[A-Za-z0-9._-]+")) {
            throw new MembershipPlan.Refused("node id '" + n.getId() + "' may hold only letters, digits, '.', '_' and '-'");
        }
        boolean witness;
        switch (n.getRole()) {
            case "data" -> witness = false;
            case "witness" -> witness = true;
            default -> throw new MembershipPlan.Refused("--role must be data or witness, not '" + n.getRole() + "'");
        }
        if (witness && !n.getMirror().isEmpty()) {
            throw new MembershipPlan.Refused("a witness has no mirror address: it holds no data");
        }
        return MemberProto.newBuilder().setId(n.getId()).setWitness(witness).setZone(n.getZone())
                .setRaft(address("--raft", n.getRaft(), true)).setAdmin(address("--admin", n.getAdmin(), true))
                .setMirror(address("--mirror", n.getMirror(), false)).setHttp(address("--http", n.getHttp(), false)).build();
    }

    private static String address(String option, String text, boolean required) throws MembershipPlan.Refused {
        if (text.isEmpty()) {
            if (required) {
                throw new MembershipPlan.Refused(option + " HOST:PORT is required");
            }
            return "";
        }
        try {
            return HostPort.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw new MembershipPlan.Refused(option + ": " + e.getMessage());
        }
    }

    public static Optional<MemberProto> node(MembershipProto m, String id) {
        return m.getNodesList().stream().filter(n -> n.getId().equals(id)).findFirst();
    }

    /**
     * {@code group}'s members, most preferred first; empty for a group the membership does not list.
     * With the configuration's members in that case: {@link GroupMembership}.
     */
    public static List<String> groupMembers(MembershipProto m, String group) {
        return m.getGroupsList().stream().filter(g -> g.getGroup().equals(group)).findFirst()
                .map(GroupMembersProto::getMembersList).map(List::copyOf).orElse(List.of());
    }

    /** Where {@code node} receives mirror disk writes, if the membership gives it an address. */
    public static Optional<HostPort> mirror(MembershipProto m, String node) {
        return node(m, node).map(MemberProto::getMirror).filter(a -> !a.isEmpty()).map(HostPort::parse);
    }

    /** The ids of the nodes, in the membership's order. */
    public static List<String> ids(MembershipProto m) {
        return m.getNodesList().stream().map(MemberProto::getId).toList();
    }
}
