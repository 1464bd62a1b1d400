package io.baton.node.daemon;

import io.baton.node.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Locale;

/**
 * Tries each address a node will listen on before anything starts, so that a port in use or an
 * address that is not on this host is one line naming it. Ratis cannot be asked: when its gRPC
 * server fails to bind, it logs a stack trace and calls {@code System.exit(1)} itself.
 *
 * <p>The port is free again as soon as the probe closes (a listening socket with no connection
 * leaves no TIME_WAIT); another process could still take it in between, which then fails as before.
 */
final class ListenCheck {
    private ListenCheck() {
    }

    /** @param what how the operator knows the address: {@code raft}, {@code admin} */
    static void canListen(String what, HostPort address) throws StartFailure {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            InetSocketAddress at = new InetSocketAddress(address.host(), address.port());
            if (at.isUnresolved()) {
                throw new StartFailure("cannot listen on " + what + " " + address + ": unknown host");
            }
            probe.bind(at);
        } catch (IOException e) {
            throw cannotListen(what, address, e);
        }
    }

    /** The one-line failure for a bind that failed with {@code error} (any depth of causes). */
    static StartFailure cannotListen(String what, HostPort address, Throwable error) {
        return new StartFailure("cannot listen on " + what + " " + address + ": " + reason(error));
    }

    /** Why a bind failed, in the operator's words; the innermost message when it is none of the usual. */
    static String reason(Throwable error) {
        String innermost = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("address already in use")) {
                return "address already in use";
            }
            if (message.contains("cannot assign requested address")) {
                return "the address is not on this host";
            }
            if (message.contains("permission denied")) {
                return "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";
            }
            if (!message.isEmpty()) {
                innermost = message;
            }
        }
        return innermost == null ? "bind failed" : innermost;
    }
}
