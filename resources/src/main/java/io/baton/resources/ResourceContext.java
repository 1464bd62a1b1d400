package io.baton.resources;

/**
 * Which grant a start or stop belongs to. Scripts receive these values as environment variables
 * ({@code BATON_GROUP}, {@code BATON_NODE}, {@code BATON_EPOCH}, {@code BATON_RESOURCE}).
 *
 * @param group the failover group
 * @param node  this node's id
 * @param epoch the grant epoch, the fencing token
 */
public record ResourceContext(String group, String node, long epoch) {}
