package io.baton.node.security;

/** How a node certificate names its node: a subject alternative name URI {@code baton:node:ID}. */
public final class NodeIdentity {
    public static final String URI_PREFIX = "baton:node:";

    private NodeIdentity() {
    }

    public static String uri(String nodeId) {
        return URI_PREFIX + nodeId;
    }
}
