package io.baton.node.cli;

import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.OpReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "move", mixinStandardHelpOptions = true, description = "Move a group to another node.")
final class MoveCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Parameters(index = "0", converter = NameConverter.Group.class, paramLabel = "GROUP")
    String group;

    @Option(names = "--to", required = true, converter = NameConverter.Node.class, paramLabel = "NODE", description = "The node to move the group to.")
    String to;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            OpReply reply = conn.call(stub -> stub.move(MoveRequest.newBuilder().setGroup(group).setTo(to).build()));
            OpReplies.print(ctl, reply);
            if (!waitOptions.wait) {
                return 0;
            }
            return GroupWait.await(ctl, conn, waitOptions, group, group + " to be online on " + to,
                    poll -> GroupWait.online(poll, group, to), Waiter.system(GroupWait.POLL_INTERVAL));
        }
    }
}
