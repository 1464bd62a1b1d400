package io.baton.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "mirror", mixinStandardHelpOptions = true, description = "Mirror disks: replica states.",
        subcommands = MirrorStatusCommand.class)
final class MirrorCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
