package io.baton.coordinator.ratis;

import io.baton.coordinator.net.ConnectionCounter;
import io.baton.coordinator.net.ConnectionLimits;
import io.baton.coordinator.net.LogThrottle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import org.apache.ratis.thirdparty.io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.ratis.thirdparty.io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft port's connection limits, applied through Ratis's own hook for its gRPC server
 * ({@link GrpcServices.Customizer}): a server socket that closes a connection over the per-port or
 * per-address limit as soon as it is accepted, a connection that sends nothing within the
 * first-byte timeout is closed, and one with no call in progress for the idle timeout is closed by
 * gRPC ({@code maxConnectionIdle}), and one whose TLS handshake is not done within the first-byte
 * timeout too ({@code handshakeTimeout}). The port gets event loops of its own, closed with {@link #close}.
 *
 * <p>The same classes exist for the admin port in the node module, against gRPC's own shaded Netty;
 * Ratis ships another copy of Netty, so the two cannot share a channel class.
 */
final class RaftPortGuard implements GrpcServices.Customizer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RaftPortGuard.class);

    private final ConnectionLimits limits;
    private final ConnectionCounter counter;
    private final LogThrottle refusals = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 1024);
    private final List<EventLoopGroup> groups = new ArrayList<>();

    RaftPortGuard(ConnectionLimits limits) {
        this.limits = limits;
        this.counter = new ConnectionCounter(limits);
    }

    @Override
    public synchronized NettyServerBuilder customize(NettyServerBuilder builder, EnumSet<GrpcServices.Type> types) {
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("baton-raft-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(0, new DefaultThreadFactory("baton-raft-io", true));
        groups.add(boss);
        groups.add(workers);
        return builder.channelFactory(() -> new Limited(this))
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // A TLS handshake left half done would hold its connection for gRPC's default of 120 s:
                // a peer gets as long to finish it as it gets to send its first byte.
                .handshakeTimeout(limits.firstByteTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    int openConnections() {
        return counter.open();
    }

    @Override
    public synchronized void close() {
        groups.forEach(g -> g.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }

    private void refused(String address, String why) {
        long held = refusals.occurrence(address, System.nanoTime());
        if (held >= 0) {
            log.warn("raft port: refused a connection from {}: {}{}", address, why,
                    held > 0 ? " (" + held + " more refused in the last minute)" : "");
        }
    }

    /** The server socket: each accepted connection is counted, or closed at once when over a limit. */
    private static final class Limited extends NioServerSocketChannel {
        private final RaftPortGuard guard;

        Limited(RaftPortGuard guard) {
            this.guard = guard;
        }

        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            int before = buf.size();
            int read = super.doReadMessages(buf);
            for (int i = buf.size() - 1; i >= before; i--) {
                Channel child = (Channel) buf.get(i);
                String address = child.remoteAddress() instanceof InetSocketAddress a
                        ? a.getAddress().getHostAddress() : String.valueOf(child.remoteAddress());
                String refusal = guard.counter.admit(address);
                if (refusal != null) {
                    buf.remove(i);
                    read--;
                    child.unsafe().closeForcibly();
                    guard.refused(address, refusal);
                    continue;
                }
                child.closeFuture().addListener(f -> guard.counter.release(address));
                child.pipeline().addFirst(new FirstByteTimeout(guard.limits.firstByteTimeout().toMillis()));
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
