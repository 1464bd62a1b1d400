/**
 * The health checks behind application monitors: one probe of an application, run on its owner,
 * answering healthy or not with a short reason an operator can read.
 *
 * <p>{@link io.baton.resources.monitor.HealthCheck} is the contract: a check returns within about
 * its timeout and never throws, whatever the application does (refuses, hangs, answers garbage).
 * {@link io.baton.resources.monitor.TcpCheck} connects, {@link io.baton.resources.monitor.HttpCheck}
 * sends a GET, {@link io.baton.resources.monitor.ExecCheck} runs a script the way exec resources
 * run theirs ({@link io.baton.resources.exec.ProcessGroup}).
 *
 * <p>The checks only. Scheduling them, counting consecutive failures, start grace periods,
 * maintenance, and deciding to restart, fail over or keep running degraded live in the agent's pure
 * plan ({@code io.baton.coordinator.agent}), which sees nothing of a check but its
 * {@link io.baton.resources.monitor.CheckResult}s.
 */
package io.baton.resources.monitor;
