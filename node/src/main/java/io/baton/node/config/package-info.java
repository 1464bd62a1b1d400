/** The cluster file: loading, validation and the typed model every node builds from it. */
package io.baton.node.config;
