/**
 * Mutual TLS on the Raft port, through Ratis's own gRPC TLS ({@code GrpcTlsConfig}): what a peer's
 * certificate must be, checked at the handshake ({@link io.baton.coordinator.ratis.tls.PeerTrust}), and
 * who a peer may claim to be in the server-to-server protocol
 * ({@link io.baton.coordinator.ratis.tls.RequestorCheck}). The decisions are pure functions of
 * {@link io.baton.coordinator.ratis.tls.PeerIdentity}; how a certificate names its node is the caller's.
 */
package io.baton.coordinator.ratis.tls;
