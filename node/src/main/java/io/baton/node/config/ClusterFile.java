package io.baton.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The cluster file's shape, as Jackson binds it ({@link ConfigBinder}): one record per mapping, its
 * components the mapping's keys in the order messages list them. Every value is what the file says,
 * null when the key is absent; defaults, formats, ranges and rules across fields are
 * {@link ClusterFileReader}'s and {@link ClusterValidator}'s. Unknown keys, wrong types and unknown
 * {@code type}s fail the binding, which names the field ({@link ConfigBinder#translate}).
 */
final class ClusterFile {
    private ClusterFile() {
    }

    record Root(Cluster cluster, List<Node> nodes, List<Group> groups, List<Alert> alerts) {}

    record Cluster(String name,
                   @JsonProperty("heartbeat_interval") Duration heartbeatInterval,
                   Duration lease,
                   @JsonProperty("max_clock_drift") JsonNode maxClockDrift,
                   @JsonProperty("takeover_margin") Duration takeoverMargin,
                   @JsonProperty("stop_budget") Duration stopBudget,
                   @JsonProperty("election_timeout") Duration electionTimeout,
                   Tls tls,
                   Boolean insecure) {}

    record Tls(String ca, String cert, String key) {}

    record Node(String id, String role, String zone, HostPort raft, HostPort admin, HostPort mirror, HostPort http) {}

    record Group(String name, List<JsonNode> nodes, Boolean autostart,
                 @JsonProperty("on_failure") String onFailure,
                 @JsonProperty("failover_limit") Limit failoverLimit,
                 String failback,
                 @JsonProperty("failback_after") Duration failbackAfter,
                 @JsonProperty("probe_wait") @JsonDeserialize(using = Durations.ZeroAllowed.class) Duration probeWait,
                 List<Resource> resources) {}

    /** {@code failover_limit} and an exec resource's {@code restart}: how many within how long. */
    record Limit(BigInteger max, Duration within) {}

    /** A resource, by its {@code type}; the type is also each record's first component, for messages. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type", visible = true)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Exec.class, name = ExecResourceConfig.TYPE),
            @JsonSubTypes.Type(value = MirrorDisk.class, name = MirrorDiskResourceConfig.TYPE),
            @JsonSubTypes.Type(value = ProbePort.class, name = ProbePortResourceConfig.TYPE)})
    sealed interface Resource permits Exec, MirrorDisk, ProbePort {}

    record Exec(String type, String name, String start, String stop, Duration timeout,
                @JsonProperty("stop_timeout") Duration stopTimeout,
                Map<String, JsonNode> env, Monitor monitor, Limit restart) implements Resource {}

    record ProbePort(String type, String name, BigInteger port, String bind, String mode) implements Resource {}

    record MirrorDisk(String type, String name, String data, String metadata, String size, String mount, String fstype,
                      @JsonProperty("resync_rate") String resyncRate) implements Resource {}

    /** An exec resource's health check, by its {@code type}: each type has its own keys. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type", visible = true)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = TcpMonitor.class, name = "tcp"),
            @JsonSubTypes.Type(value = HttpMonitor.class, name = "http"),
            @JsonSubTypes.Type(value = ExecMonitor.class, name = "exec")})
    sealed interface Monitor permits TcpMonitor, HttpMonitor, ExecMonitor {
        Duration interval();

        Duration timeout();

        BigInteger failures();

        Duration startGrace();
    }

    record TcpMonitor(String type, String host, BigInteger port, Duration interval, Duration timeout, BigInteger failures,
                      @JsonProperty("start_grace") @JsonDeserialize(using = Durations.ZeroAllowed.class) Duration startGrace)
            implements Monitor {}

    record HttpMonitor(String type, String host, BigInteger port, String path,
                       @JsonProperty("expect_status") BigInteger expectStatus,
                       @JsonProperty("expect_body") String expectBody,
                       Duration interval, Duration timeout, BigInteger failures,
                       @JsonProperty("start_grace") @JsonDeserialize(using = Durations.ZeroAllowed.class) Duration startGrace)
            implements Monitor {}

    record ExecMonitor(String type, String command, Duration interval, Duration timeout, BigInteger failures,
                       @JsonProperty("start_grace") @JsonDeserialize(using = Durations.ZeroAllowed.class) Duration startGrace)
            implements Monitor {}

    /** Where committed events go, by its {@code type}. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type", visible = true)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = ExecAlert.class, name = "exec"),
            @JsonSubTypes.Type(value = WebhookAlert.class, name = "webhook")})
    sealed interface Alert permits ExecAlert, WebhookAlert {
        List<JsonNode> events();

        Duration timeout();
    }

    record ExecAlert(String type, String command, List<JsonNode> events, Duration timeout) implements Alert {}

    record WebhookAlert(String type, String url, List<JsonNode> events, Duration timeout) implements Alert {}
}
