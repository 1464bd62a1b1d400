package io.baton.resources.mirror.engine;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Bounded waits on futures that turn every way of not getting a value into an IOException. */
final class Waits {

    private Waits() {}

    static <T> T get(CompletableFuture<T> f, long timeoutMillis, Supplier<String> what) throws IOException {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException(what.get() + ": nothing within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? new IOException(what.get() + ": " + io.getMessage(), io)
                    : new IOException(what.get() + ": " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what.get() + ": interrupted", e);
        }
    }

    /** Waits up to {@code nanos} or until {@code stop} completes; true if it completed. */
    static boolean sleepUnless(CompletableFuture<?> stop, long nanos) {
        try {
            stop.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
