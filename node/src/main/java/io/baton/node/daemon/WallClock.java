package io.baton.node.daemon;

import java.util.function.LongSupplier;

/**
 * The daemon's wall clock: the machine's, shifted by the system property {@value #OFFSET_PROPERTY}
 * (milliseconds, may be negative; 0 when absent). The shift is for tests and drills that need a host
 * whose clock is set wrong without changing the machine's clock. The wall clock stamps commands (event
 * times, failure expiry); no ownership decision and no incarnation depends on it.
 */
final class WallClock {
    static final String OFFSET_PROPERTY = "baton.wall_clock_offset_ms";

    private WallClock() {}

    static LongSupplier fromSystemProperties() {
        String value = System.getProperty(OFFSET_PROPERTY, "0").strip();
        long offset;
        try {
            offset = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(OFFSET_PROPERTY + " must be a whole number of milliseconds, not '"
                    + value + "'");
        }
        return offset == 0 ? System::currentTimeMillis : () -> System.currentTimeMillis() + offset;
    }
}
