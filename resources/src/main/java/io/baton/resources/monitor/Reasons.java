package io.baton.resources.monitor;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns an exception from a socket or HTTP client into the short reason an operator reads
 * ("connection refused", "no route to host") instead of a class name and a stack trace.
 */
final class Reasons {

    private Reasons() {
    }

    static String of(Throwable t) {
        Throwable e = unwrap(t);
        String message = firstMessage(e);
        if (e instanceof ConnectException
                && (message == null || message.toLowerCase(Locale.ROOT).contains("refused"))) {
            return "connection refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof UnknownHostException) {
            return message == null ? "unknown host" : "unknown host " + message;
        }
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }

    /** The exception behind the wrappers that futures add. */
    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The exception's message, or its first cause's when it has none (the HTTP client's are often bare). */
    private static String firstMessage(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e.getMessage() != null && !e.getMessage().isBlank()) {
                return e.getMessage();
            }
            if (e.getCause() == e) {
                break;
            }
        }
        return null;
    }
}
