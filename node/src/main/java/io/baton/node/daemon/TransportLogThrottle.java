package io.baton.node.daemon;

import io.baton.coordinator.net.LogThrottle;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC (the admin port) and Ratis's copy of it (the Raft port) log, through java.util.logging, a
 * whole stack trace for every connection that fails, e.g. one that sends bytes that are not HTTP/2:
 * about 9,500 lines per node in one flood of random bytes (issue 9, finding 4). This replaces them
 * with one line per port and kind of failure per minute, with the number held back since the last.
 */
final class TransportLogThrottle implements Filter {
    private static final Logger log = LoggerFactory.getLogger(TransportLogThrottle.class);

    /** java.util.logging holds its loggers weakly: these keep the filtered ones (and their filters) alive. */
    private static final List<java.util.logging.Logger> TRANSPORT_LOGGERS = List.of(
            java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport"),
            java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections"),
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc.netty.NettyServerTransport"),
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc.netty.NettyServerTransport.connections"));

    private static final java.util.regex.Pattern HEX_RUN = java.util.regex.Pattern.compile("[0-9a-fA-F]{16,}");

    private final LogThrottle throttle = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 256);

    /** Installs the filter on both gRPC servers' transport loggers. */
    static void install() {
        TransportLogThrottle filter = new TransportLogThrottle();
        TRANSPORT_LOGGERS.forEach(l -> l.setFilter(filter));
    }

    /** "admin port" or "raft port", and the failure in one line without the bytes gRPC dumps after it. */
    static String key(String loggerName, Throwable thrown) {
        String port = loggerName != null && loggerName.startsWith("org.apache.ratis") ? "raft port" : "admin port";
        String message = String.valueOf(thrown.getMessage());
        int dump = message.indexOf(". Hex dump");
        if (dump >= 0) {
            message = message.substring(0, dump);
        }
        // With TLS, random bytes fail as "not an SSL/TLS record: <the bytes in hex>": one key per
        // connection unless the bytes go.
        message = HEX_RUN.matcher(message).replaceAll("...");
        if (message.length() > 120) {
            message = message.substring(0, 120) + "...";
        }
        return port + ": " + thrown.getClass().getSimpleName() + ": " + message;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getThrown() == null) {
            return true;
        }
        String key = key(record.getLoggerName(), record.getThrown());
        long held = throttle.occurrence(key, System.nanoTime());
        if (held >= 0) {
            log.warn("{} (a connection closed for it{})", key,
                    held > 0 ? "; " + held + " more in the last minute" : "; more within a minute are counted, not logged");
        }
        return false;
    }
}
