package io.baton.node.cli;

import io.baton.proto.admin.NewNode;
import io.baton.proto.admin.NodeAddRequest;
import io.baton.proto.admin.NodeRemoveRequest;
import io.baton.proto.admin.NodeReplaceRequest;
import io.baton.proto.admin.NodeStandbyRequest;
import io.baton.proto.admin.OpReply;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Nodes: standby and back online; add, remove and replace (docs/membership.md).",
        subcommands = {NodeCommand.Standby.class, NodeCommand.Online.class, NodeCommand.Add.class,
                NodeCommand.Remove.class, NodeCommand.Replace.class})
final class NodeCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    static int standby(BatonCtl ctl, String node, boolean standby) {
        try (AdminConnection conn = ctl.connect()) {
            NodeStandbyRequest request = NodeStandbyRequest.newBuilder().setNode(node).setStandby(standby).build();
            OpReply reply = conn.call(stub -> stub.nodeStandby(request));
            OpReplies.print(ctl, reply);
            return 0;
        }
    }

    @Command(name = "standby", mixinStandardHelpOptions = true,
            description = {"Make a node eligible for no group. The groups it runs move to their next eligible member",
                    "first; if one has none, nothing changes and the reason is printed."})
    static final class Standby implements Callable<Integer> {
        @ParentCommand
        NodeCommand parent;

        @Parameters(index = "0", converter = NameConverter.Node.class, paramLabel = "NODE")
        String node;

        @Override
        public Integer call() {
            return standby(parent.ctl, node, true);
        }
    }

    @Command(name = "online", mixinStandardHelpOptions = true, description = "Make a node in standby eligible for groups again.")
    static final class Online implements Callable<Integer> {
        @ParentCommand
        NodeCommand parent;

        @Parameters(index = "0", converter = NameConverter.Node.class, paramLabel = "NODE")
        String node;

        @Override
        public Integer call() {
            return standby(parent.ctl, node, false);
        }
    }

    /**
     * How long a membership call may take: a new voter's catch-up (Ratis allows it a minute) and a few
     * commits. Longer than --timeout's default; a longer --timeout wins.
     */
    static final Duration MEMBERSHIP_CALL = Duration.ofSeconds(90);

    /** The new node's entry, as under nodes: in the cluster file. */
    static final class NewNodeOptions {
        @Option(names = "--role", required = true, paramLabel = "data|witness", description = "data or witness.")
        String role;

        @Option(names = "--raft", required = true, paramLabel = "HOST:PORT", description = "Its Raft address.")
        String raft;

        @Option(names = "--admin", required = true, paramLabel = "HOST:PORT", description = "Its admin address.")
        String admin;

        @Option(names = "--mirror", paramLabel = "HOST:PORT",
                description = "Where it receives mirror disk writes (a data node in a group with a mirror disk).")
        String mirror;

        @Option(names = "--http", paramLabel = "HOST:PORT", description = "Its HTTP port (metrics, web console), if it has one.")
        String http;

        @Option(names = "--zone", paramLabel = "ZONE", description = "Its failure domain, for operators.")
        String zone;

        NewNode toProto(String id) {
            return NewNode.newBuilder().setId(id).setRole(role).setRaft(raft).setAdmin(admin)
                    .setMirror(mirror == null ? "" : mirror).setHttp(http == null ? "" : http)
                    .setZone(zone == null ? "" : zone).build();
        }
    }

    private static int membership(BatonCtl ctl, java.util.function.Function<
            io.baton.proto.admin.BatonAdminGrpc.BatonAdminBlockingStub, OpReply> call) {
        try (AdminConnection conn = ctl.connectWaiting(MEMBERSHIP_CALL)) {
            OpReplies.print(ctl, conn.call(call));
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a node to the cluster: into the membership, then into the Raft voters once it has caught up.",
                    "Start it first: baton-node with the cluster file plus its own entry under nodes: and an empty data",
                    "directory. Refused, changing nothing, if it would cost the cluster its quorum."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        NodeCommand parent;

        @Parameters(index = "0", converter = NameConverter.Node.class, paramLabel = "ID")
        String id;

        @Mixin
        NewNodeOptions node;

        @Override
        public Integer call() {
            NodeAddRequest request = NodeAddRequest.newBuilder().setNode(node.toProto(id)).build();
            return membership(parent.ctl, stub -> stub.nodeAdd(request));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a node from the Raft voters and the membership. Refused while it is a member of a group",
                    "(use replace), or if fewer than three voters or no quorum would be left."})
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        NodeCommand parent;

        @Parameters(index = "0", converter = NameConverter.Node.class, paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            NodeRemoveRequest request = NodeRemoveRequest.newBuilder().setNode(id).build();
            return membership(parent.ctl, stub -> stub.nodeRemove(request));
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true,
            description = {"Replace a node by a new one: add NEW (started first, as for add), put it in OLD's place in every",
                    "group (a mirror disk is copied to it in full; it is granted nothing before the copy ends), then",
                    "remove OLD. OLD may be down. Run it again after a failure: it resumes where it stopped."})
    static final class Replace implements Callable<Integer> {
        @ParentCommand
        NodeCommand parent;

        @Parameters(index = "0", converter = NameConverter.Node.class, paramLabel = "OLD")
        String old;

        @Option(names = "--with", required = true, converter = NameConverter.Node.class, paramLabel = "NEW",
                description = "The new node's id.")
        String with;

        @Mixin
        NewNodeOptions node;

        @Override
        public Integer call() {
            NodeReplaceRequest request = NodeReplaceRequest.newBuilder().setOld(old).setWith(node.toProto(with)).build();
            return membership(parent.ctl, stub -> stub.nodeReplace(request));
        }
    }
}
