package io.baton.node.cli;

import io.baton.proto.Event;
import io.baton.proto.admin.WatchRequest;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Show recent events; with --follow, keep printing new ones until Ctrl-C.")
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep streaming new events.")
    boolean follow;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20",
            description = "How many recent events to show first (default: ${DEFAULT-VALUE}).")
    int last;

    @Override
    public Integer call() {
        if (last < 0) {
            throw new ParameterException(spec.commandLine(), "--last must not be negative: " + last);
        }
        WatchRequest request = WatchRequest.newBuilder().setFollow(follow).setRecent(last).build();
        try (AdminConnection conn = ctl.connect()) {
            Iterator<Event> events = conn.watch(request);
            while (events.hasNext()) {
                Event event = events.next();
                ctl.out().println(ctl.output() == OutputFormat.json ? Json.compact(event) : EventLine.format(event));
                ctl.out().flush();
            }
        }
        return 0;
    }
}
