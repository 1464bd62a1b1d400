package io.baton.node.admin;

import io.baton.coordinator.net.ConnectionCounter;
import io.baton.coordinator.net.ConnectionLimits;
import io.baton.coordinator.net.LogThrottle;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port's server socket: each accepted connection is counted per port and per source
 * address and closed at once when over a limit; one that sends nothing within the first-byte
 * timeout is closed. (gRPC closes one with no call in progress for the idle timeout.) The Raft port
 * has the same, against Ratis's copy of Netty (RaftPortGuard in the coordinator).
 */
final class AdminPort {
    private static final Logger log = LoggerFactory.getLogger(AdminPort.class);

    private final ConnectionLimits limits;
    private final ConnectionCounter counter;
    private final LogThrottle refusals = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 1024);

    AdminPort(ConnectionLimits limits) {
        this.limits = limits;
        this.counter = new ConnectionCounter(limits);
    }

    NioServerSocketChannel newChannel() {
        return new Limited(this);
    }

    int openConnections() {
        return counter.open();
    }

    private void refused(String address, String why) {
        long held = refusals.occurrence(address, System.nanoTime());
        if (held >= 0) {
            log.warn("admin port: refused a connection from {}: {}{}", address, why,
                    held > 0 ? " (" + held + " more refused in the last minute)" : "");
        }
    }

    private static final class Limited extends NioServerSocketChannel {
        private final AdminPort port;

        Limited(AdminPort port) {
            this.port = port;
        }

        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            int before = buf.size();
            int read = super.doReadMessages(buf);
            for (int i = buf.size() - 1; i >= before; i--) {
                Channel child = (Channel) buf.get(i);
                String address = child.remoteAddress() instanceof InetSocketAddress a
                        ? a.getAddress().getHostAddress() : String.valueOf(child.remoteAddress());
                String refusal = port.counter.admit(address);
                if (refusal != null) {
                    buf.remove(i);
                    read--;
                    child.unsafe().closeForcibly();
                    port.refused(address, refusal);
                    continue;
                }
                child.closeFuture().addListener(f -> port.counter.release(address));
                child.pipeline().addFirst(new FirstByteTimeout(port.limits.firstByteTimeout().toMillis()));
            }
            return read;
        }
    }

    /** Closes a connection that has sent nothing within the timeout; steps aside at its first byte. */
    private static final class FirstByteTimeout extends ChannelInboundHandlerAdapter {
        private final long timeoutMs;
        private ScheduledFuture<?> timer;

        FirstByteTimeout(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            // ctx.close(), not the channel's: this handler is nearest the socket, so the close skips
            // gRPC's HTTP/2 handler, which would wait for a graceful GOAWAY exchange instead.
            timer = ctx.executor().schedule(() -> ctx.close(), timeoutMs, TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (timer != null) {
                timer.cancel(false);
            }
            ctx.pipeline().remove(this);
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (timer != null) {
                timer.cancel(false);
            }
            super.channelInactive(ctx);
        }
    }
}
