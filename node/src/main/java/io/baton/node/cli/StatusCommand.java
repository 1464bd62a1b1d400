package io.baton.node.cli;

import io.baton.proto.admin.ClusterStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the cluster's nodes and groups.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            ClusterStatus status = conn.status();
            if (ctl.output() == OutputFormat.json) {
                ctl.out().println(Json.pretty(status));
            } else {
                ctl.out().print(StatusTable.render(status));
            }
        }
        return 0;
    }
}
