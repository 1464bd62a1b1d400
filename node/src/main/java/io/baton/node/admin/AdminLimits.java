package io.baton.node.admin;

import io.baton.coordinator.net.ConnectionLimits;

/**
 * What the admin port accepts (docs/configuration.md, "Limits"): its connections (see
 * {@link ConnectionLimits}), at most {@code maxCalls} calls in progress at once, whose work runs
 * on {@code callThreads} threads (a call over the limit is refused at once with RESOURCE_EXHAUSTED),
 * and requests of at most {@code maxRequestBytes}.
 */
public record AdminLimits(ConnectionLimits connections, int callThreads, int maxCalls, int maxRequestBytes) {
    public AdminLimits {
        if (callThreads < 1 || maxCalls < callThreads || maxRequestBytes < 1024) {
            throw new IllegalArgumentException("admin limits need 1 <= call threads <= max calls and requests of"
                    + " at least 1 KiB, got " + callThreads + ", " + maxCalls + ", " + maxRequestBytes);
        }
    }

    /**
     * Requests are a few names, well under 1 KiB. Calls are short (a cached status, a proposal that
     * waits for its commit without holding a thread), so a few threads serve many; 64 calls in
     * progress leaves room for many operators and {@code watch --follow} streams.
     */
    public static final AdminLimits DEFAULT = new AdminLimits(ConnectionLimits.ADMIN_DEFAULT, 4, 64,
            io.baton.coordinator.core.ConfigChange.MAX_TEXT_BYTES + 4 * 1024); // a cluster file for config apply

    public AdminLimits withConnections(ConnectionLimits c) {
        return new AdminLimits(c, callThreads, maxCalls, maxRequestBytes);
    }
}
