package io.baton.node.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeLoggingTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty("logback.configurationFile");
    }

    @Test
    void logbackFindsItAndItSetsWhatTheXmlFileDid() throws Exception {
        LoggerContext context = new LoggerContext();
        new ContextInitializer(context).autoConfig();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        assertNotNull(root.getAppender("OUT"), "the console appender");
        assertEquals(Level.WARN, context.getLogger("org.apache.ratis").getLevel());
        assertEquals(Level.OFF, context.getLogger("org.apache.ratis.client.impl.OrderedAsync").getLevel());
        assertEquals(Level.ERROR, context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").getLevel());
        assertTrue(context.getLogger("io.baton.node.NodeMain").isInfoEnabled());
        assertTrue(!context.getLogger("io.netty.channel.X").isInfoEnabled(), "netty above INFO");
    }

    @Test
    void theRootLevelComesFromBatonLogLevel() {
        assertEquals(Level.INFO, NodeLogging.rootLevel(null));
        assertEquals(Level.ERROR, NodeLogging.rootLevel("ERROR"));
        assertEquals(Level.DEBUG, NodeLogging.rootLevel(" debug "));
        assertEquals(Level.INFO, NodeLogging.rootLevel("loud"));
    }

    @Test
    void anOperatorsOwnFileWins() {
        System.setProperty("logback.configurationFile", "/etc/baton/logback.xml");
        LoggerContext context = new LoggerContext();
        NodeLogging logging = new NodeLogging();
        logging.setContext(context);

        assertEquals(ExecutionStatus.NEUTRAL, logging.configure(context));
        assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT"));
    }
}
