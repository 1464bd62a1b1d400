package io.baton.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** batonctl's stdout is for its output only: silence library logging (Netty via SLF4J, gRPC via JUL). */
final class QuietLogging {
    private static final java.util.logging.Logger GRPC_JUL = java.util.logging.Logger.getLogger("io.grpc");

    private QuietLogging() {
    }

    static void apply() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        }
        GRPC_JUL.setLevel(java.util.logging.Level.OFF);
    }
}
