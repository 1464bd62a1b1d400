package io.baton.node.daemon;

/**
 * A node that cannot start because of something the operator can fix (a port in use, a data
 * directory that belongs to another cluster or node). The message is one line meant to be shown as
 * is: what is wrong, where, and what to do; never a stack trace or a library's class name.
 */
public final class StartFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public StartFailure(String message) {
        super(message);
    }
}
