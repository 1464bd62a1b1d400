package io.baton.node.cli;

/**
 * A refusal or failure that batonctl reports as one line on stderr ({@code batonctl: <message>}) with exit code 1.
 * {@code retryable} marks failures to reach any endpoint (worth retrying while waiting for a change).
 */
final class CtlException extends RuntimeException {
    private final boolean retryable;

    CtlException(String message) {
        this(message, false);
    }

    CtlException(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
