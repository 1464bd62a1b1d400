package io.baton.node.cli;

import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.OpReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "force-activate", mixinStandardHelpOptions = true,
        description = {"Start a mirrored group that has no active owner on a node whose replica is Outdated.",
                "The writes acknowledged after that replica fell behind are lost; the event log records it."})
final class ForceActivateCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", converter = NameConverter.Group.class, paramLabel = "GROUP")
    String group;

    @Option(names = "--on", required = true, converter = NameConverter.Node.class, paramLabel = "NODE", description = "The node whose Outdated replica to activate.")
    String on;

    @Option(names = "--accept-data-loss", description = "Required: confirms that writes the replica lacks are lost.")
    boolean acceptDataLoss;

    @Mixin
    WaitOptions waitOptions;

    @Override
    public Integer call() {
        if (!acceptDataLoss) {
            // A usage error, checked before any call: nothing is sent without the confirmation.
            throw new ParameterException(spec.commandLine(), "force-activate loses the writes that " + on
                    + "'s replica of " + group + " lacks; add --accept-data-loss to accept that");
        }
        try (AdminConnection conn = ctl.connect()) {
            OpReply reply = conn.call(stub -> stub.forceActivate(ForceActivateRequest.newBuilder().setGroup(group)
                    .setOn(on).setAcceptDataLoss(true).build()));
            OpReplies.print(ctl, reply);
            if (!waitOptions.wait) {
                return 0;
            }
            return GroupWait.await(ctl, conn, waitOptions, group, group + " to be online on " + on,
                    poll -> GroupWait.online(poll, group, on), Waiter.system(GroupWait.POLL_INTERVAL));
        }
    }
}
