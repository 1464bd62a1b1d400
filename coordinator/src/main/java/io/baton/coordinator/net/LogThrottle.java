package io.baton.coordinator.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which of a stream of repeated log lines to print: the first for a key, then at most one
 * per {@code period}, each saying how many were held back since the last. A pure function of the
 * keys and the time it is given (nanoseconds); thread-safe. Keeps at most {@code maxKeys} keys,
 * forgetting the oldest, so that a flood from many sources cannot grow it without bound.
 */
public final class LogThrottle {
    private final long periodNanos;
    private final int maxKeys;
    private final Map<String, long[]> seen; // key -> {last printed at, held back since}

    public LogThrottle(long periodNanos, int maxKeys) {
        this.periodNanos = periodNanos;
        this.maxKeys = maxKeys;
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > LogThrottle.this.maxKeys;
            }
        };
    }

    /**
     * One more occurrence of {@code key} at {@code nowNanos}: -1 to hold it back, else print it,
     * with the number (possibly 0) held back since the last one printed.
     */
    public synchronized long occurrence(String key, long nowNanos) {
        long[] s = seen.get(key);
        if (s == null) {
            seen.put(key, new long[] {nowNanos, 0});
            return 0;
        }
        if (nowNanos - s[0] < periodNanos) {
            s[1]++;
            return -1;
        }
        long held = s[1];
        s[0] = nowNanos;
        s[1] = 0;
        return held;
    }
}
