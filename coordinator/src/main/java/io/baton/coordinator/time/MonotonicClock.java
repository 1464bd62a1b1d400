package io.baton.coordinator.time;

/**
 * The one source of time outside the pure core. Leases and expiries are measured on it, never on the
 * wall clock; tests and the simulation supply their own.
 */
@FunctionalInterface
public interface MonotonicClock {
    long nanos();

    MonotonicClock SYSTEM = System::nanoTime;
}
