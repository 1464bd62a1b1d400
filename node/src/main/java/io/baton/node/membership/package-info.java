/**
 * Who is in the cluster once an operator changed it ({@code batonctl node add|remove|replace}): the
 * replicated membership as the daemon uses it, the pure planning of each change, and the steps that
 * carry one out through Raft. The cluster file's {@code nodes:} is the bootstrap list; after the first
 * change the replicated membership (coordinator {@code Membership}) says which nodes and group
 * members there are, with their addresses.
 */
package io.baton.node.membership;
