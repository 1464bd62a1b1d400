/**
 * A node's HTTP port ({@code http:} on its entry in the cluster file): {@code /healthz},
 * {@code /readyz} and {@code /metrics}. With the cluster's TLS it is HTTPS with the node's
 * certificate, and {@code /metrics} needs a client certificate of the cluster CA.
 */
package io.baton.node.http;
