package io.baton.node.cli;

import io.baton.proto.admin.ClearRequest;
import io.baton.proto.admin.OpReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "clear", mixinStandardHelpOptions = true,
        description = {"Forget a group's failures (on every node, or on --node) and end a hold: the nodes are eligible",
                "again, and a failed group starts on the first eligible node (a stopped group stays stopped)."})
final class ClearCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Parameters(index = "0", converter = NameConverter.Group.class, paramLabel = "GROUP")
    String group;

    @Option(names = "--node", converter = NameConverter.Node.class, paramLabel = "NODE", description = "Only this node's failure (default: every node's).")
    String node;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            ClearRequest request = ClearRequest.newBuilder().setGroup(group).setNode(node == null ? "" : node).build();
            OpReply reply = conn.call(stub -> stub.clear(request));
            OpReplies.print(ctl, reply);
            return 0;
        }
    }
}
