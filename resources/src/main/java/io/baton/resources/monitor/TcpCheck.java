package io.baton.resources.monitor;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Healthy when a TCP connection to {@code host:port} completes within the timeout. The connection is
 * closed at once; nothing is sent.
 *
 * <p>The host is resolved on every check (an address that moves is followed), and name resolution
 * is not covered by the timeout: a resolver in trouble can make a check take as long as the
 * resolver's own timeouts. Use an address literal where that matters.
 */
public final class TcpCheck implements HealthCheck {

    private final String host;
    private final int port;

    public TcpCheck(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("tcp check needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
    }

    @Override
    public CheckResult check(Duration timeout) {
        Timeouts.requirePositive(timeout);
        try (Socket socket = new Socket()) {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                return CheckResult.failed("unknown host " + host);
            }
            socket.connect(address, Timeouts.millis(timeout));
            return CheckResult.ok();
        } catch (SocketTimeoutException e) {
            return CheckResult.failed(Timeouts.timedOut(timeout));
        } catch (Exception e) {
            return CheckResult.failed(Reasons.of(e));
        }
    }

    @Override
    public String describe() {
        return "tcp " + hostPort(host, port);
    }

    @Override
    public String toString() {
        return "TcpCheck[" + describe() + "]";
    }

    /** "host:port", with an IPv6 literal in brackets. */
    static String hostPort(String host, int port) {
        boolean bare6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        return (bare6 ? "[" + host + "]" : host) + ":" + port;
    }
}
