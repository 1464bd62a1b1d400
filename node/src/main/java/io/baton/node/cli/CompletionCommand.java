package io.baton.node.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code batonctl completion bash}: the shell completion script, made by picocli from the commands
 * themselves, so it never falls behind them. zsh loads the same script after {@code bashcompinit}.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script for batonctl.",
                "bash: source <(batonctl completion bash), or save it to /etc/bash_completion.d/batonctl.",
                "zsh: autoload -U +X bashcompinit && bashcompinit, then the same."})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash (zsh: see above)")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CtlException("completion: unknown shell '" + shell + "'; give bash (zsh uses it through bashcompinit)");
        }
        CommandLine root = spec.root().commandLine();
        root.getOut().print(AutoComplete.bash(root.getCommandName(), root));
        root.getOut().flush();
        return 0;
    }
}
