package io.baton.node.admin;

import io.baton.proto.admin.ConsoleLoginReply;

/**
 * Sign-in links to this node's web console, for the admin call {@code ConsoleLogin}: the console
 * lives on the HTTP port, the operator's certificate on the admin port, and a link carries the
 * caller from one to the other.
 */
public interface ConsoleLinks {
    /** A one-time link for {@code caller} (null on a cluster without TLS, where the console is open). */
    ConsoleLoginReply link(AdminCaller caller);
}
