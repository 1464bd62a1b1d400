package io.baton.node.admin;

import io.baton.node.security.NodeCredentials;
import io.baton.node.security.NodeIdentity;
import io.baton.node.security.Role;
import io.baton.proto.Caller;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Who is calling the admin API, from the client certificate of the TLS handshake: an operator (the
 * certificate's common name, and its role from the URI {@code baton:role:ROLE}) or a node
 * ({@code baton:node:ID}). A node's certificate is not an operator's: it may read, nothing more.
 */
public record AdminCaller(String name, Role role, boolean node) {

    /** The caller a certificate names, or empty when it names neither a role nor a node. */
    public static Optional<AdminCaller> of(X509Certificate certificate) {
        Optional<Role> role = Optional.empty();
        for (String uri : NodeCredentials.uris(certificate)) {
            if (uri.startsWith(NodeIdentity.URI_PREFIX)) {
                return Optional.of(new AdminCaller(uri.substring(NodeIdentity.URI_PREFIX.length()), Role.VIEWER, true));
            }
            if (uri.startsWith(Role.URI_PREFIX) && role.isEmpty()) {
                role = Role.fromId(uri.substring(Role.URI_PREFIX.length()));
            }
        }
        String name = commonName(certificate);
        return role.map(r -> new AdminCaller(name, r, false));
    }

    /** "alice (operator)", or "node server1". */
    public String describe() {
        return node ? "node " + name : name + " (" + role.id() + ")";
    }

    /** As a command carries it, for the audit trail. */
    public Caller toProto() {
        return Caller.newBuilder().setName(node ? "node " + name : name).setRole(node ? "node" : role.id()).build();
    }

    static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        int start = subject.indexOf("CN=");
        if (start < 0) {
            return subject;
        }
        int end = subject.indexOf(',', start);
        return subject.substring(start + 3, end < 0 ? subject.length() : end);
    }
}
