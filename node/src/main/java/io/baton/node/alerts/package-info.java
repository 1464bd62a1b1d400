/**
 * Alerts ({@code alerts:} in the cluster file): the Raft leader hands every committed event to the
 * configured exec commands and webhooks, in order, with retries, from a thread of its own, and
 * commits how far it got, so that the next leader resumes there (at least once; the event's seq is
 * its id for de-duplication). {@link io.baton.node.alerts.AlertDispatcher#step} is the whole policy,
 * tested without threads; the senders do the I/O.
 */
package io.baton.node.alerts;
