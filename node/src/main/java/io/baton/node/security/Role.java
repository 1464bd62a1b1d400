package io.baton.node.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an operator's certificate allows on the admin API, each role including the ones before it:
 * a viewer reads (status, events, mirror status), an operator also changes (move, start, stop,
 * maintenance, clear), an admin also overrides (force-activate, certificates, membership).
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** How a certificate carries its role: a subject alternative name URI such as {@code baton:role:operator}. */
    public static final String URI_PREFIX = "baton:role:";

    /** The role's name as operators write it, e.g. {@code operator}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String uri() {
        return URI_PREFIX + id();
    }

    /** Whether this role may do what {@code needed} may. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    public static Optional<Role> fromId(String id) {
        return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
    }

    /** "viewer, operator, admin", for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
    }
}
