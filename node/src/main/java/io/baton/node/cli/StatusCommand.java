package io.baton.node.cli;

import io.baton.proto.admin.ClusterStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the cluster's nodes and groups.",
                "With GROUP or --group, the same header and nodes, and only those groups.",
                "Above " + StatusTable.FULL_GROUPS_MAX + " groups to show, one line each (not the groups named, nor with --full)."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Parameters(arity = "0..*", paramLabel = "GROUP", converter = NameConverter.Group.class,
            description = "Only these groups (exact names; an unknown one is an error).")
    List<String> names = new ArrayList<>();

    @Option(names = "--group", paramLabel = "PATTERN", converter = NameConverter.Group.class,
            description = "Only the groups whose name matches PATTERN: * any characters, ? one (quote it: --group 'web*')."
                    + " May be repeated; with GROUP, those too.")
    List<String> patterns = new ArrayList<>();

    @Option(names = "--full", description = "Every group's members and resources, however many groups"
            + " (above " + StatusTable.FULL_GROUPS_MAX + " groups: one line each).")
    boolean full;

    @Override
    public Integer call() {
        GroupFilter filter = new GroupFilter(names == null ? List.of() : names, patterns == null ? List.of() : patterns);
        try (AdminConnection conn = ctl.connect()) {
            ClusterStatus status = conn.status();
            if (ctl.output() == OutputFormat.json) {
                ClusterStatus shown = filter.all() ? status
                        : status.toBuilder().clearGroups().addAllGroups(filter.select(status)).build();
                ctl.out().println(Json.pretty(shown));
            } else {
                ctl.out().print(StatusTable.render(status, filter, full, Instant.now()));
            }
        }
        return 0;
    }
}
