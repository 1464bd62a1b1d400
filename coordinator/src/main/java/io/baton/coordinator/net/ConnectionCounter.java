package io.baton.coordinator.net;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts a port's open connections, in total and per source address, and says whether one more may
 * be admitted. Thread-safe; used only on the accepting thread and when a connection closes, never by
 * anything on a node's safety path.
 */
public final class ConnectionCounter {
    private final int maxConnections;
    private final int maxPerAddress;
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    public ConnectionCounter(ConnectionLimits limits) {
        this.maxConnections = limits.maxConnections();
        this.maxPerAddress = limits.maxPerAddress();
    }

    /** Admits a connection from {@code address} (counted until {@link #release}); null if admitted, else why not. */
    public synchronized String admit(String address) {
        if (total >= maxConnections) {
            return total + " connections open on the port (limit " + maxConnections + ")";
        }
        int mine = perAddress.getOrDefault(address, 0);
        if (mine >= maxPerAddress) {
            return mine + " connections open from " + address + " (limit " + maxPerAddress + " per address)";
        }
        perAddress.put(address, mine + 1);
        total++;
        return null;
    }

    /** A connection admitted from {@code address} has closed. */
    public synchronized void release(String address) {
        Integer mine = perAddress.get(address);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            perAddress.remove(address);
        } else {
            perAddress.put(address, mine - 1);
        }
        total--;
    }

    public synchronized int open() {
        return total;
    }
}
