package io.baton.coordinator.core;

/**
 * A committed failure of a group on a node (a failed activation, or a monitor that failed there): the
 * controller skips the node until the record expires (the group's failure timeout) or an operator clears it.
 *
 * @param wallTimeMs when it was committed, on the proposer's wall clock (part of the log, so every replica
 *                   expires it alike); 0 for a record of unknown age (from a snapshot older than failure
 *                   records), which never expires
 * @param reason     what the node reported
 */
public record Failure(String node, long wallTimeMs, String reason) {}
