package io.baton.node.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Host settings that change how fast the cluster recovers, checked once at daemon start and
 * reported as advice (never refused: the host is the operator's).
 */
final class HostTuning {

    static final Path TCP_RTO_MAX_MS = Path.of("/proc/sys/net/ipv4/tcp_rto_max_ms");
    /** Above this cap, a healed link can leave a Raft connection silent for longer than a lease. */
    static final long RECOMMENDED_MAX_RTO_MS = 1000;
    private static final long ADVISE_ABOVE_MS = 5000;

    private HostTuning() {}

    /**
     * Advice about TCP retransmission backoff, if the kernel has the setting and it is high; empty
     * when it is low enough or the kernel (before 6.15) has no such setting.
     */
    static Optional<String> tcpRtoAdvice(Path setting) {
        long value;
        try {
            value = Long.parseLong(Files.readString(setting).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        if (value <= ADVISE_ABOVE_MS) {
            return Optional.empty();
        }
        return Optional.of("net.ipv4.tcp_rto_max_ms is " + value + ": after a link that dropped packets comes"
                + " back, a Raft connection can stay silent for up to " + (value / 1000) + " s and the leader"
                + " does not count that node (batonctl status shows Raft DEGRADED); set it to "
                + RECOMMENDED_MAX_RTO_MS + " (sysctl -w net.ipv4.tcp_rto_max_ms=" + RECOMMENDED_MAX_RTO_MS
                + "; docs/configuration.md, Host tuning)");
    }
}
