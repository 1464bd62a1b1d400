package io.baton.node.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code alerts:}: where the Raft leader delivers committed events.
 *
 * @param type    {@code exec}: run {@code command} with {@code /bin/sh -c}, the event in BATON_EVENT_*
 *                variables and as JSON on stdin; {@code webhook}: POST the JSON to {@code url}
 * @param command for exec; null for a webhook
 * @param url     for webhook (http or https); null for exec
 * @param events  the event kinds to deliver; empty: every kind
 * @param timeout how long one delivery may take before it counts as failed (and is retried)
 */
public record AlertConfig(Type type, String command, URI url, Set<String> events, Duration timeout) {
    public enum Type { EXEC, WEBHOOK }

    /** When the file gives none: long enough for a mail relay, short enough not to hold the queue. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Every kind of event the cluster records. A filter naming anything else is a typo: it would
     * silently never match.
     */
    public static final List<String> KINDS = List.of("granted", "online", "released", "failed", "failover",
            "move", "move-cancelled", "start", "stop", "revoked", "node-up", "node-down", "replica",
            "replica-behind", "replica-caught-up", "force-activate", "monitor-failed", "restarted", "restarting",
            "degraded", "degraded-cleared", "probe-wait", "probe-wait-cleared", "maintenance", "standby",
            "cleared", "failure-expired", "protocol", "membership", "config");

    public AlertConfig {
        Objects.requireNonNull(type, "type");
        events = Set.copyOf(events);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** Whether an event of {@code kind} goes to this alert. */
    public boolean wants(String kind) {
        return events.isEmpty() || events.contains(kind);
    }

    /** Where it goes, for logs: the command or the URL without its query (which may hold a token). */
    public String target() {
        if (type == Type.EXEC) {
            return command;
        }
        return url.getScheme() + "://" + url.getAuthority() + (url.getPath() == null ? "" : url.getPath());
    }
}
