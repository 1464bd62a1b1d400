package io.baton.coordinator.ratis.tls;

import java.util.Optional;
import java.util.Set;

/**
 * Who may talk on the Raft port, as pure decisions on the node a certificate names (already verified to
 * chain to the cluster's CA and to be valid): each answer is null when allowed, else one line saying why not.
 */
public final class PeerIdentity {
    private PeerIdentity() {
    }

    /**
     * A connection to this node's Raft port: the peer must present the certificate of a member node. An
     * operator's certificate, of the same CA, names no node and is refused.
     *
     * @param named   the node the peer's certificate names, if any
     * @param subject the certificate's subject, for the message
     */
    public static String acceptedProblem(Optional<String> named, String subject, Set<String> members) {
        if (named.isEmpty()) {
            return "certificate " + subject + " is not a node certificate (no baton:node: name)";
        }
        if (!members.contains(named.get())) {
            return "certificate " + subject + " is of node '" + named.get() + "', which is not a member of this cluster";
        }
        return null;
    }

    /**
     * A connection this node dialled: the server must present the certificate of the node it dialled.
     *
     * @param dialled the member this node meant to reach at that address; empty if the address is no
     *                member's
     * @param address the address dialled, for the message
     */
    public static String dialledProblem(Optional<String> named, String subject, Optional<String> dialled, String address) {
        if (dialled.isEmpty()) {
            return address + " is not the Raft address of any member";
        }
        if (named.isEmpty()) {
            return address + " presented " + subject + ", which is not a node certificate";
        }
        if (!named.get().equals(dialled.get())) {
            return address + " presented the certificate of node '" + named.get() + "', not of '" + dialled.get() + "'";
        }
        return null;
    }

    /**
     * One request of the server-to-server protocol (vote, append, snapshot, read index): the server id the
     * request claims to come from must be the node of the connection's certificate.
     */
    public static String requestorProblem(Optional<String> named, String requestor) {
        if (named.isEmpty()) {
            return "the connection has no node certificate, yet the request claims to come from '" + requestor + "'";
        }
        if (!named.get().equals(requestor)) {
            return "node '" + named.get() + "' sent a request as '" + requestor + "'";
        }
        return null;
    }

    /**
     * Null when a client request on a connection whose certificate names {@code named} may propose a
     * command in the name of {@code proposer}; else why not. A node proposes only in its own name.
     */
    public static String proposerProblem(Optional<String> named, String proposer) {
        if (named.isEmpty()) {
            return "the connection has no node certificate, yet it proposes a command as '" + proposer + "'";
        }
        if (!named.get().equals(proposer)) {
            return "node '" + named.get() + "' proposed a command as '" + proposer + "'";
        }
        return null;
    }
}
