package io.baton.node.cli;

import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigLoader;
import io.baton.proto.admin.ConfigApplyRequest;
import io.baton.proto.admin.OpReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "The cluster's configuration: apply a changed cluster file without a restart (docs/configuration.md).",
        subcommands = {ConfigCommand.Apply.class})
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Make a changed cluster file live on every node, without a restart: groups added or removed,",
                    "members, monitors, restart and failover policies. A group whose resources change must be stopped",
                    "first. Refused, changing nothing, with every reason, if the file changes what cannot change live",
                    "(timings, TLS, alerts, nodes, mirror disks). Copy the file to every node as well: status warns",
                    "about a node whose file differs from the applied one."})
    static final class Apply implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file to apply.")
        Path file;

        @Option(names = "--dry-run", description = "Show what would change; apply nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
                // Checked here first: a file that does not load is named with its path as given, and never sent.
                ConfigLoader.parse(text, file.toString());
            } catch (ConfigException e) {
                throw new CtlException(e.getMessage());
            } catch (IOException e) {
                throw new CtlException("cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                        ? "file not found" : e.getMessage()));
            }
            ConfigApplyRequest request = ConfigApplyRequest.newBuilder().setText(text).setFileName(file.toString())
                    .setDryRun(dryRun).build();
            try (AdminConnection conn = parent.ctl.connect()) {
                OpReply reply = conn.call(stub -> stub.configApply(request));
                OpReplies.print(parent.ctl, reply);
                return 0;
            }
        }
    }
}
