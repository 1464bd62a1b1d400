package io.baton.node.security;

/** A certificate or key file that cannot be used; the message names the file and the problem in one line. */
public final class CertificateException extends Exception {
    public CertificateException(String message) {
        super(message, null, false, false);
    }
}
