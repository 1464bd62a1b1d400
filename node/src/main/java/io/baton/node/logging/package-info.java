/** How the node logs: logback, configured in code ({@link io.baton.node.logging.NodeLogging}). */
package io.baton.node.logging;
