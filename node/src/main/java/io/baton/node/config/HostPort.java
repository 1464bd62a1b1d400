package io.baton.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A network endpoint written {@code host:port} in the cluster file: {@code 198.18.0.1:7400},
 * {@code server1.internal:7400} or {@code [fd00::1]:7400}.
 *
 * <p>The host is kept as written, without the brackets of an IPv6 literal, so it can be handed to
 * socket APIs directly; {@link #toString()} puts the brackets back. Parsing never touches DNS: a
 * cluster file must load the same way on every node, whatever each node's resolver says.
 *
 * @param host an IPv4 literal, a host name, or an IPv6 literal without brackets
 * @param port 1..65535
 */
public record HostPort(String host, int port) {

    private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    // Underscores are not in RFC 1123 but are common in container and VM names.
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

    /** Checks the parts, so that no HostPort exists with a host or port that could not be bound. */
    public HostPort {
        if (host == null) {
            throw new IllegalArgumentException("host is missing");
        }
        String problem = hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    /**
     * Parses {@code IPv4:port}, {@code hostname:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says what is wrong
     */
    public static HostPort parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("no address given; expected host:port, e.g. 198.18.0.1:7400");
        }
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid(text, "missing ']' after the IPv6 address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw invalid(text, "expected ':port' after ']'");
            }
            portText = rest.substring(1);
            if (!host.contains(":")) {
                throw invalid(text, "brackets are only for IPv6 addresses");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw invalid(text, "missing port; expected host:port");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
            if (host.contains(":")) {
                throw invalid(text, "an IPv6 address must be written in brackets, e.g. [::1]:7400");
            }
        }
        if (host.isEmpty()) {
            throw invalid(text, "missing host");
        }
        String problem = hostProblem(host);
        if (problem != null) {
            throw invalid(text, problem);
        }
        return new HostPort(host, parsePort(text, portText));
    }

    private static int parsePort(String text, String portText) {
        if (portText.isEmpty()) {
            throw invalid(text, "missing port");
        }
        if (!portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text, "port must be a number, got '" + portText + "'");
        }
        int port = portText.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw invalid(text, "port must be between 1 and 65535, got " + portText);
        }
        return port;
    }

    private static IllegalArgumentException invalid(String text, String reason) {
        return new IllegalArgumentException("invalid address '" + text + "': " + reason);
    }

    /** {@code host:port}, with brackets around an IPv6 host; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Checks a bare host (no port): an IPv4 literal, an IPv6 literal without brackets, or a host
     * name. Returns what is wrong with it, or null if it is fine.
     */
    static String hostProblem(String host) {
        if (host.isEmpty()) {
            return "missing host";
        }
        if (host.contains(":")) {
            return ipv6Literal(host) == null ? "'" + host + "' is not a valid IPv6 address" : null;
        }
        if (IPV4_LIKE.matcher(host).matches()) {
            if (!IPV4.matcher(host).matches()) {
                return "'" + host + "' is not a valid IPv4 address";
            }
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return "'" + host + "' is not a valid IPv4 address";
                }
            }
            return null;
        }
        if (host.length() > 253) {
            return "host name is longer than 253 characters";
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return "'" + host + "' is not a valid host name";
            }
        }
        return null;
    }

    /**
     * The IPv6 literal as an address, or null if it is not one. Only strings made of hex digits,
     * ':' and '.' and starting with a hex digit or ':' reach the JDK, which then parses them as
     * literals and never falls back to a DNS lookup.
     */
    private static InetAddress ipv6Literal(String host) {
        if (!IPV6_CHARS.matcher(host).matches() || host.charAt(0) == '.') {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The host in one spelling per address, so that {@code [FD00::1]} and {@code [fd00:0::1]} or
     * {@code Server1} and {@code server1} are recognised as the same endpoint.
     */
    String normalizedHost() {
        return normalize(host);
    }

    /** {@link #normalizedHost()} for a bare host that has passed {@link #hostProblem}. */
    static String normalize(String host) {
        if (host.contains(":")) {
            InetAddress address = ipv6Literal(host);
            if (address != null) {
                return address.getHostAddress();
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** Whether a bare host is the any-address, which overlaps every other address on a node. */
    static boolean isWildcard(String host) {
        if (host.equals("0.0.0.0")) {
            return true;
        }
        if (host.contains(":")) {
            InetAddress address = ipv6Literal(host);
            return address != null && address.isAnyLocalAddress();
        }
        return false;
    }
}
