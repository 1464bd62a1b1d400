package io.baton.node.cli;

import io.baton.proto.admin.ConsoleLoginReply;
import io.baton.proto.admin.ConsoleLoginRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * Prints a one-time sign-in link to the web console of the node that answers, for the holder of
 * batonctl's certificate (the console's session has its name and role).
 */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Print a one-time link that signs you in to the web console of the node that answers,"
                + " with your certificate's name and role (open it within 60 s)."})
final class ConsoleCommand implements Callable<Integer> {
    @ParentCommand
    BatonCtl ctl;

    @Override
    public Integer call() {
        try (AdminConnection conn = ctl.connect()) {
            ConsoleLoginReply reply = conn.call(stub -> stub.consoleLogin(ConsoleLoginRequest.getDefaultInstance()));
            String url = url(reply, conn.current().host());
            if (ctl.output() == OutputFormat.json) {
                ctl.out().println(Json.compact(reply.toBuilder().setPath(url).build()));
                return 0;
            }
            if (reply.getExpiresInMs() > 0) {
                ctl.out().println("Web console of " + reply.getNode() + ": open this link within "
                        + reply.getExpiresInMs() / 1000 + " s; it works once.");
            } else {
                ctl.out().println("Web console of " + reply.getNode() + " (no TLS: open to anyone who reaches the port):");
            }
            ctl.out().println("  " + url);
            if (reply.getTls()) {
                ctl.out().println("The browser trusts the page once it trusts the cluster's CA certificate (docs/console.md).");
            }
            return 0;
        }
    }

    /**
     * The link: scheme, the node's HTTP address (the admin endpoint's host instead when the node
     * listens on every address), the path.
     */
    static String url(ConsoleLoginReply reply, String endpointHost) {
        String address = reply.getHttpAddress();
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon) : address;
        String port = colon > 0 ? address.substring(colon) : "";
        if (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::") || host.isEmpty()) {
            host = endpointHost.contains(":") ? "[" + endpointHost + "]" : endpointHost;
        }
        return (reply.getTls() ? "https://" : "http://") + host + port + reply.getPath();
    }
}
