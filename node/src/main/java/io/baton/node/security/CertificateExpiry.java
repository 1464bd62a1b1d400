package io.baton.node.security;

/**
 * When a node's TLS certificates expire, in ms since the epoch: its own node certificate and the CA
 * certificate that issued it. A node sends them in its heartbeats, so that {@code status} can warn
 * before either runs out on any node; 0 means unknown (no TLS).
 */
public record CertificateExpiry(long certificateNotAfterMs, long caNotAfterMs) {
    /** Without TLS. */
    public static final CertificateExpiry NONE = new CertificateExpiry(0, 0);
}
