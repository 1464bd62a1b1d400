package io.baton.node.cli;

import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.OpReply;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "maintenance", mixinStandardHelpOptions = true,
        description = {"Maintenance on or off for a group (every group without GROUP).",
                "In maintenance the cluster starts, fails over, takes over and fails back nothing for the group and its",
                "monitors are suspended; move, start and stop still work. An owner that loses its lease still stops it."})
final class MaintenanceCommand implements Callable<Integer> {
    /** The switch's two positions. */
    enum Switch { on, off }

    @ParentCommand
    BatonCtl ctl;

    @Parameters(index = "0", paramLabel = "on|off", description = "on or off")
    Switch position;

    @Parameters(index = "1", arity = "0..1", converter = NameConverter.Group.class, paramLabel = "GROUP", description = "The group (default: every group).")
    String group;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            MaintenanceRequest request = MaintenanceRequest.newBuilder().setGroup(group == null ? "" : group)
                    .setOn(position == Switch.on).build();
            OpReply reply = conn.call(stub -> stub.maintenance(request));
            OpReplies.print(ctl, reply);
            return 0;
        }
    }
}
