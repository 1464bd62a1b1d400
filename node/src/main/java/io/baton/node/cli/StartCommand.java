package io.baton.node.cli;

import io.baton.proto.admin.OpReply;
import io.baton.proto.admin.StartRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Start a stopped group.")
final class StartCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Parameters(index = "0", converter = NameConverter.Group.class, paramLabel = "GROUP")
    String group;

    @Option(names = "--on", converter = NameConverter.Node.class, paramLabel = "NODE", description = "Start it on this node (default: the cluster decides).")
    String on;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            StartRequest.Builder request = StartRequest.newBuilder().setGroup(group);
            if (on != null) {
                request.setOn(on);
            }
            OpReply reply = conn.call(stub -> stub.start(request.build()));
            OpReplies.print(ctl, reply);
            if (!waitOptions.wait) {
                return 0;
            }
            String goal = group + " to be online" + (on == null ? "" : " on " + on);
            return GroupWait.await(ctl, conn, waitOptions, group, goal, poll -> GroupWait.online(poll, group, on),
                    Waiter.system(GroupWait.POLL_INTERVAL));
        }
    }
}
