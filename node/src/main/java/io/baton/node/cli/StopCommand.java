package io.baton.node.cli;

import io.baton.proto.admin.OpReply;
import io.baton.proto.admin.StopRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a group (it stays offline until started).")
final class StopCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Parameters(index = "0", converter = NameConverter.Group.class, paramLabel = "GROUP")
    String group;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            OpReply reply = conn.call(stub -> stub.stop(StopRequest.newBuilder().setGroup(group).build()));
            OpReplies.print(ctl, reply);
            if (!waitOptions.wait) {
                return 0;
            }
            return GroupWait.await(ctl, conn, waitOptions, group, group + " to be stopped",
                    poll -> GroupWait.stopped(poll, group), Waiter.system(GroupWait.POLL_INTERVAL));
        }
    }
}
