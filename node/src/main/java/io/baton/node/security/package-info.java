/**
 * The cluster's certificates: one CA per cluster, a certificate per node (its identity
 * {@code baton:node:ID}) and per operator (its role {@code baton:role:ROLE}), as PEM files.
 * ECDSA P-256 keys; X.509 building and PEM encoding with BouncyCastle.
 */
package io.baton.node.security;
