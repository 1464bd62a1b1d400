package io.baton.node.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The node's logging, set up in code rather than from a {@code logback.xml}: reading XML loads
 * logback's configuration interpreter and the JDK's XML parser, about 500 classes kept for the life of
 * the process, for the same six lines (docs/benchmarks.md, "Idle footprint"). Logback finds this class
 * with {@link java.util.ServiceLoader}, before its own configurators.
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile=...} (or a
 * {@code logback-test.xml} on the class path, as in tests) this steps aside and logback reads that.
 * {@code -Dbaton.log.level=LEVEL} sets the root level (INFO by default).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class NodeLogging extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

    /**
     * Libraries' loggers held above INFO: Ratis logs every retried client request at ERROR while a
     * leader is being found, and retries to an unreachable follower many times a second; our own code
     * reports those failures, and a down node shows in status.
     */
    static final Map<String, Level> QUIETER = Map.of(
            "org.apache.ratis", Level.WARN,
            "io.grpc", Level.WARN,
            "io.netty", Level.WARN,
            "org.apache.ratis.client.impl.OrderedAsync", Level.OFF,
            "org.apache.ratis.grpc.server.GrpcLogAppender", Level.ERROR);

    /** For the {@link java.util.ServiceLoader}. */
    public NodeLogging() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || NodeLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.NEUTRAL;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getProperty("baton.log.level")));
        root.addAppender(out);
        QUIETER.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The root level for {@code -Dbaton.log.level}: INFO when unset or not a level's name. */
    static Level rootLevel(String property) {
        return property == null ? Level.INFO : Level.toLevel(property.trim(), Level.INFO);
    }
}
