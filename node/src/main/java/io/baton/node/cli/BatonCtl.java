package io.baton.node.cli;

import io.baton.node.security.CertificateException;
import io.grpc.ChannelCredentials;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code batonctl}, the operator CLI. Exit codes: 0 success, 1 refused or failed (one line on stderr:
 * {@code batonctl: <reason>}), 2 usage error.
 */
@Command(name = "batonctl", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Operator CLI for a Baton cluster.",
        subcommands = {StatusCommand.class, MoveCommand.class, StartCommand.class, StopCommand.class,
                EventsCommand.class, MirrorCommand.class, ForceActivateCommand.class, MaintenanceCommand.class,
                NodeCommand.class, ConfigCommand.class, ClearCommand.class, ConsoleCommand.class, CertsCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class BatonCtl implements Callable<Integer> {

    @Option(names = "--endpoint", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = EndpointList.Converter.class,
            description = "Admin endpoints, tried in order (default: $BATON_ENDPOINT, else endpoint in"
                    + " ~/.config/baton/batonctl.yaml, else 127.0.0.1:7401).")
    EndpointList endpoints;

    @Option(names = "--ca", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The cluster's CA certificate, for TLS (default: $BATON_CA, else ca in the settings file).")
    Path ca;

    @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Your certificate (batonctl certs issue) (default: $BATON_CERT, else cert in the settings file).")
    Path cert;

    @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Your certificate's key (default: $BATON_KEY, else key in the settings file).")
    Path key;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class, description = "Deadline of each call (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "table|json", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    private BatonCtl(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        QuietLogging.apply();
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BatonCtl ctl = new BatonCtl(out);
        CommandLine cmd = new CommandLine(ctl);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        cmd.setOut(outWriter);
        cmd.setErr(errWriter);
        cmd.setParameterExceptionHandler((ex, ignoredArgs) -> {
            CommandLine failed = ex.getCommandLine();
            errWriter.println("batonctl: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, errWriter);
            failed.usage(errWriter);
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            errWriter.println("batonctl: " + reason(ex));
            return 1;
        });
        int code = cmd.execute(args);
        outWriter.flush();
        errWriter.flush();
        out.flush();
        err.flush();
        return code;
    }

    /** One line, never a stack trace. */
    private static String reason(Exception ex) {
        if (ex instanceof CtlException) {
            return ex.getMessage();
        }
        if (ex instanceof StatusRuntimeException sre) {
            return AdminConnection.describe(sre.getStatus());
        }
        return "internal error: " + ex;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    AdminConnection connect() {
        return connect(timeout);
    }

    /** A connection whose calls wait at least {@code atLeast} (a membership change waits for a new node's catch-up). */
    AdminConnection connectWaiting(Duration atLeast) {
        return connect(timeout.compareTo(atLeast) >= 0 ? timeout : atLeast);
    }

    private AdminConnection connect(Duration timeout) {
        Map<String, String> env = System.getenv();
        Path file = CtlSettings.defaultFile(env);
        CtlSettings settings = CtlSettings.resolve(
                new CtlSettings.Flags(endpoints == null ? null : endpoints.toString(), ca, cert, key),
                env, file, CtlSettings.readFile(file));
        Optional<ChannelCredentials> tls = Optional.empty();
        if (settings.tls().isPresent()) {
            try {
                tls = Optional.of(ClientTls.credentials(settings.tls().get(), Instant.now()));
            } catch (CertificateException e) {
                throw new CtlException(e.getMessage());
            }
        }
        return new AdminConnection(settings.endpoints(), timeout, tls);
    }

    PrintStream out() {
        return out;
    }

    OutputFormat output() {
        return output;
    }
}
