package io.baton.coordinator.ratis.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {
    private static final Set<String> MEMBERS = Set.of("a", "b", "w");

    @Test
    void aMembersNodeCertificateIsAccepted() {
        assertNull(PeerIdentity.acceptedProblem(Optional.of("b"), "'CN=b'", MEMBERS));
    }

    @Test
    void anOperatorCertificateIsRefused() {
        assertEquals("certificate 'CN=alice' is not a node certificate (no baton:node: name)",
                PeerIdentity.acceptedProblem(Optional.empty(), "'CN=alice'", MEMBERS));
    }

    @Test
    void theNodeCertificateOfANonMemberIsRefused() {
        assertEquals("certificate 'CN=x' is of node 'x', which is not a member of this cluster",
                PeerIdentity.acceptedProblem(Optional.of("x"), "'CN=x'", MEMBERS));
    }

    @Test
    void aDialledServerMustBeTheNodeDialled() {
        assertNull(PeerIdentity.dialledProblem(Optional.of("a"), "'CN=a'", Optional.of("a"), "10.0.0.1:7400"));
        assertEquals("10.0.0.1:7400 presented the certificate of node 'b', not of 'a'",
                PeerIdentity.dialledProblem(Optional.of("b"), "'CN=b'", Optional.of("a"), "10.0.0.1:7400"));
        assertEquals("10.0.0.1:7400 presented 'CN=alice', which is not a node certificate",
                PeerIdentity.dialledProblem(Optional.empty(), "'CN=alice'", Optional.of("a"), "10.0.0.1:7400"));
        assertEquals("10.0.0.9:7400 is not the Raft address of any member",
                PeerIdentity.dialledProblem(Optional.of("a"), "'CN=a'", Optional.empty(), "10.0.0.9:7400"));
    }

    @Test
    void aServerRequestMustComeFromTheNodeOfTheCertificate() {
        assertNull(PeerIdentity.requestorProblem(Optional.of("b"), "b"));
        assertEquals("node 'b' sent a request as 'a'", PeerIdentity.requestorProblem(Optional.of("b"), "a"));
        assertEquals("the connection has no node certificate, yet the request claims to come from 'a'",
                PeerIdentity.requestorProblem(Optional.empty(), "a"));
    }

    @Test
    void addressesAreComparedWithoutBracketsOrCase() {
        assertEquals("::1:7400", RaftTls.address("[::1]", 7400));
        assertEquals("node-a.example:7400", RaftTls.address("Node-A.example", 7400));
    }
}
