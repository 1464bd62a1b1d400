package io.baton.resources;

/** A start or stop that did not succeed; the message is shown to operators as is. */
public class ResourceException extends Exception {
    public ResourceException(String message) {
        super(message);
    }

    public ResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
