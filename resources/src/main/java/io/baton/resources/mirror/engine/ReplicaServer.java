package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.ErrorPayload;
import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameException;
import io.baton.resources.mirror.wire.FrameFields;
import io.baton.resources.mirror.wire.FrameType;
import io.baton.resources.mirror.wire.HelloPayload;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per node: the TCP endpoint (the node's mirror host:port) where primaries of every mirror
 * resource this node is a standby for connect. The first frame of a connection must be a HELLO; its
 * resource id picks the {@link ReplicaTarget}, which gets every frame of the connection from then on.
 */
public final class ReplicaServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaServer.class);

    private final String nodeId;
    private final InetSocketAddress bindAddress;
    private final Map<String, ReplicaTarget> targets = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Channel serverChannel;
    /**
     * The primaries' connections, closed explicitly on {@link #close} before the event loops shut
     * down: with writes applied on the event loop (an experiment), the shutdown alone was seen to end,
     * one run in three, without closing an accepted socket, and the primary kept a dead link as
     * connected. Closing them first is the documented Netty way and costs nothing.
     */
    private final java.util.Set<Channel> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final MirrorTls tls;

    /** @param bindAddress where to listen; port 0 picks a free one (see {@link #localAddress}) */
    public ReplicaServer(String nodeId, InetSocketAddress bindAddress) {
        this(nodeId, bindAddress, null);
    }

    /** @param tls mutual TLS for every connection; null: plain TCP */
    public ReplicaServer(String nodeId, InetSocketAddress bindAddress, MirrorTls tls) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.tls = tls;
    }

    /** Binds and starts serving; returns the bound address. */
    public synchronized InetSocketAddress start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("mirror replica server of node " + nodeId + " already started");
        }
        group = NettyIo.group("mirror-server-" + nodeId, 2);
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            if (tls != null) {
                                ch.pipeline().addLast(tls.serverHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, new Connection());
                        }
                    })
                    .bind(bindAddress).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            group = null;
            throw new IOException("mirror replica server of node " + nodeId + " cannot listen on " + bindAddress
                    + ": " + e.getMessage(), e);
        } 
        log.info("mirror replica server of node {} listening on {}", nodeId, serverChannel.localAddress());
        return localAddress();
    }

    public synchronized InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** Serves {@code target}'s resource from now on; refuses a second target for the same resource. */
    public void register(ReplicaTarget target) {
        ReplicaTarget old = targets.putIfAbsent(target.resourceId(), target);
        if (old != null) {
            throw new IllegalStateException("mirror resource " + target.resourceId() + " is already served on node " + nodeId);
        }
    }

    /** Stops routing connections to the resource's target (returned, or null); does not close it. */
    public ReplicaTarget unregister(String resourceId) {
        return targets.remove(resourceId);
    }

    /** Stops listening and closes every connection; registered targets stay open (their owners close them). */
    @Override
    public synchronized void close() {
        if (group != null) {
            serverChannel.close().syncUninterruptibly();
            for (Channel ch : connections) {
                ch.close().awaitUninterruptibly();
            }
            connections.clear();
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
            serverChannel = null;
        }
    }

    /** How many connection refusals this server has logged (the rest were held back: {@link #logRefusal}). */
    public long refusalsLogged() {
        return refusalsLogged.get();
    }

    /**
     * Logs a closed connection once per minute per peer host and reason: a primary whose certificate is
     * refused retries every reconnect interval, and a flood of junk would otherwise be a line each.
     */
    private void logRefusal(SocketAddress from, String why) {
        String host = from instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress()
                : String.valueOf(from);
        // Netty names the junk it read ("not an SSL/TLS record: 1603..."): the bytes are not the reason.
        int junk = why.indexOf("not an SSL/TLS record");
        String reason = junk >= 0 ? why.substring(0, junk) + "not an SSL/TLS record" : why;
        String key = host + " " + reason;
        long now = System.nanoTime();
        if (refusalLoggedAt.size() > REFUSAL_KEYS_MAX) {
            refusalLoggedAt.clear();
        }
        Long last = refusalLoggedAt.get(key);
        if (last != null && now - last < REFUSAL_LOG_PERIOD_NANOS) {
            return;
        }
        refusalLoggedAt.put(key, now);
        refusalsLogged.incrementAndGet();
        log.warn("mirror: closing connection from {} to node {}: {} (logged once a minute per host and reason)",
                host, nodeId, reason);
    }

    private static final long REFUSAL_LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int REFUSAL_KEYS_MAX = 256;
    private final Map<String, Long> refusalLoggedAt = new ConcurrentHashMap<>();
    private final AtomicLong refusalsLogged = new AtomicLong();

    /** One primary's connection: routes frames to its target once the HELLO named it. */
    private final class Connection extends SimpleChannelInboundHandler<FrameFields> {
        private ReplicaTarget target;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FrameFields received) throws FrameException {
            if (target != null) {
                target.receive(ctx.channel(), received);
                return;
            }
            if (!(received instanceof Frame frame) || frame.type() != FrameType.HELLO) {
                throw new FrameException("a mirror connection must start with HELLO, got " + received.type());
            }
            HelloPayload hello = HelloPayload.from(frame);
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            String impostor = ssl == null ? null : tls.peerProblem(ssl, hello.nodeId());
            if (impostor != null) {
                String why = "the primary at " + ctx.channel().remoteAddress() + " says it is node " + hello.nodeId()
                        + " but " + impostor;
                log.error("mirror: {}", why);
                ctx.writeAndFlush(new ErrorPayload(why).toFrame(frame.epoch(), frame.seq()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            target = targets.get(hello.resourceId());
            if (target == null) {
                String why = "node " + nodeId + " is not a standby for mirror resource " + hello.resourceId()
                        + " (primary " + hello.nodeId() + " at " + ctx.channel().remoteAddress() + ")";
                log.error("mirror: {}", why);
                ctx.writeAndFlush(new ErrorPayload(why).toFrame(frame.epoch(), frame.seq()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            target.receive(ctx.channel(), frame);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.remove(ctx.channel());
            if (target != null) {
                target.disconnected(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logRefusal(ctx.channel().remoteAddress(),
                    cause.getCause() instanceof FrameException fe ? fe.getMessage() : cause.toString());
            ctx.close();
        }
    }
}
