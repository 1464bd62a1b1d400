package io.baton.node.cli;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Polls until a condition is met, fails, or a timeout passes. Clock and sleep are injected for tests. */
final class Waiter {

    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    enum Kind { DONE, WAITING, FAILED }

    /** What a judge says about one observation; {@code text} explains it (used in the final message). */
    record Verdict(Kind kind, String text) {
        static Verdict done(String text) {
            return new Verdict(Kind.DONE, text);
        }

        static Verdict waiting(String text) {
            return new Verdict(Kind.WAITING, text);
        }

        static Verdict failed(String text) {
            return new Verdict(Kind.FAILED, text);
        }
    }

    /** The last verdict (WAITING means the timeout passed), the last observation and the time spent. */
    record Outcome<T>(Verdict verdict, T last, long elapsedNanos, int polls) {
        boolean timedOut() {
            return verdict.kind() == Kind.WAITING;
        }
    }

    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Duration interval;

    Waiter(LongSupplier nanoTime, Sleeper sleeper, Duration interval) {
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.interval = interval;
    }

    static Waiter system(Duration interval) {
        return new Waiter(System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)),
                interval);
    }

    /** Polls at once, then every interval, until the judge says DONE or FAILED or {@code timeout} has passed. */
    <T> Outcome<T> await(Supplier<T> poll, Function<T, Verdict> judge, Duration timeout) throws InterruptedException {
        long start = nanoTime.getAsLong();
        long limit = timeout.toNanos();
        int polls = 0;
        while (true) {
            T value = poll.get();
            polls++;
            Verdict verdict = judge.apply(value);
            long elapsed = nanoTime.getAsLong() - start;
            if (verdict.kind() != Kind.WAITING || elapsed >= limit) {
                return new Outcome<>(verdict, value, elapsed, polls);
            }
            sleeper.sleepNanos(Math.min(interval.toNanos(), limit - elapsed));
        }
    }
}
