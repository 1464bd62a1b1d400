package io.baton.node.cli;

import java.util.ArrayList;
import java.util.List;

/** One admin endpoint, {@code HOST:PORT} or {@code [IPV6]:PORT}. */
record Endpoint(String host, int port) {

    /** Parses a comma-separated list; throws IllegalArgumentException with a readable message. */
    static List<Endpoint> parseList(String text) {
        List<Endpoint> list = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            list.add(parse(part.trim()));
        }
        return List.copyOf(list);
    }

    static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw invalid(text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw invalid(text);
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(text);
        }
        String portText = text.substring(colon + 1);
        if (!portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
            throw invalid(text);
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw invalid(text);
        }
        return new Endpoint(host, port);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid endpoint '" + text + "' (expected HOST:PORT[,HOST:PORT...])");
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
