package io.baton.node.agent;

import io.baton.resources.monitor.HealthCheck;
import java.time.Duration;

/**
 * A resource's monitor as the agent runs it: the check, and how often and how long. What a
 * result means (consecutive failures, grace, restarts) is the plan's ({@code MonitorSpec}).
 */
public record ResourceMonitor(HealthCheck check, Duration interval, Duration timeout) {}
