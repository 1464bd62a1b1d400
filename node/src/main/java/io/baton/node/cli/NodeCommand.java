package io.baton.node.cli;

import io.baton.proto.admin.NodeStandbyRequest;
import io.baton.proto.admin.OpReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "node", mixinStandardHelpOptions = true, description = "Nodes: standby and back online.",
        subcommands = {NodeCommand.Standby.class, NodeCommand.Online.class})
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
}
