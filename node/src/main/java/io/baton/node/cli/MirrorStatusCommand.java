package io.baton.node.cli;

import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each replica of the mirrored groups: UpToDate, Outdated, Inconsistent or Syncing.")
final class MirrorStatusCommand implements Callable<Integer> {
    @ParentCommand
    MirrorCommand mirror;

    @Parameters(index = "0", arity = "0..1", converter = NameConverter.Group.class, paramLabel = "GROUP", description = "Only this group (default: all mirrored groups).")
    String group;

    @Override
    public Integer call() {
        BatonCtl ctl = mirror.ctl;
        try (AdminConnection conn = ctl.connect()) {
            ClusterStatus status = conn.status();
            List<GroupStatus> groups = MirrorTable.select(status, group);
            if (ctl.output() == OutputFormat.json) {
                ctl.out().println(Json.pretty(status.toBuilder().clearNodes().clearGroups().addAllGroups(groups)));
            } else {
                ctl.out().print(MirrorTable.render(status, groups));
            }
        }
        return 0;
    }
}
