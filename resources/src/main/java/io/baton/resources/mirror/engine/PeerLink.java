package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.wire.ErrorPayload;
import io.baton.resources.mirror.wire.FencedPayload;
import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameException;
import io.baton.resources.mirror.wire.FrameType;
import io.baton.resources.mirror.wire.HelloPayload;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The primary's connection to its peer: sends frames and hands out a future per frame that its
 * acknowledgement completes. When the connection closes, for whatever reason, every pending future
 * fails at once, so that nobody waits for an acknowledgement that cannot come.
 */
final class PeerLink {

    private final Channel channel;
    private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextSeq = new AtomicLong(1);
    private final CompletableFuture<Frame> helloReply = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile String closeReason = "connection closed";

    private PeerLink(Channel channel) {
        this.channel = channel;
    }

    /**
     * Connects; {@code onFenced} gets the peer's highest epoch if it answers FENCED.
     *
     * @throws IOException if the peer cannot be reached within the timeout
     */
    static PeerLink connect(EventLoopGroup group, InetSocketAddress peer, int connectTimeoutMillis,
            LongConsumer onFenced) throws IOException {
        return connect(group, peer, connectTimeoutMillis, onFenced, null, null);
    }

    /**
     * Connects over TLS when {@code tls} is set: the handshake must finish within the connect timeout
     * and the peer's certificate must name {@code peerNode}.
     */
    static PeerLink connect(EventLoopGroup group, InetSocketAddress peer, int connectTimeoutMillis,
            LongConsumer onFenced, MirrorTls tls, String peerNode) throws IOException {
        PeerLink[] self = new PeerLink[1];
        SslHandler[] ssl = new SslHandler[1];
        ChannelFuture cf = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        self[0] = new PeerLink(ch);
                        if (tls != null) {
                            ssl[0] = tls.clientHandler(ch.alloc(), peer);
                            ch.pipeline().addLast(ssl[0]);
                        }
                        ch.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, self[0].new Handler(onFenced));
                    }
                })
                .connect(peer);
        cf.awaitUninterruptibly();
        if (!cf.isSuccess()) {
            throw new IOException("cannot connect to mirror peer at " + peer + ": " + cf.cause().getMessage(), cf.cause());
        }
        if (tls != null) {
            var handshake = ssl[0].handshakeFuture();
            if (!handshake.awaitUninterruptibly(connectTimeoutMillis + MirrorTls.HANDSHAKE_TIMEOUT_MILLIS) || !handshake.isSuccess()) {
                self[0].close("TLS handshake failed");
                Throwable cause = handshake.cause();
                throw new IOException("TLS handshake with mirror peer at " + peer + " failed: "
                        + (cause == null ? "timed out" : cause.getMessage()), cause);
            }
            String problem = tls.peerProblem(ssl[0], peerNode);
            if (problem != null) {
                self[0].close("wrong peer certificate");
                throw new IOException("mirror peer at " + peer + " " + problem);
            }
        }
        return self[0];
    }

    /** Sends our HELLO and returns the peer's, or why the peer refused (its ERROR text). */
    HelloPayload handshake(HelloPayload ours, long epoch, long timeoutMillis) throws IOException {
        channel.writeAndFlush(ours.toFrame(epoch, 0));
        Frame reply = Waits.get(helloReply, timeoutMillis, () -> "HELLO from mirror peer at " + channel.remoteAddress());
        return HelloPayload.from(reply);
    }

    long nextSeq() {
        return nextSeq.getAndIncrement();
    }

    /** Sends a control frame (its seq from {@link #nextSeq}); the future completes with the answer. */
    CompletableFuture<Frame> send(Frame frame) {
        CompletableFuture<Frame> ack = expect(frame.seq());
        channel.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                fail(frame.seq(), f.cause());
            }
        });
        return ack;
    }

    /** Sends a data frame, encoded now from {@code data} (not consumed; reusable when this returns). */
    CompletableFuture<Frame> sendData(FrameType type, long epoch, long offsetBytes, ByteBuffer data) {
        return sendData(type, epoch, offsetBytes, data, true);
    }

    /**
     * Like {@link #sendData(FrameType, long, long, ByteBuffer)}; without {@code flush} the frame waits
     * in the channel for the next {@link #flush}, so a burst leaves in one write.
     */
    CompletableFuture<Frame> sendData(FrameType type, long epoch, long offsetBytes, ByteBuffer data, boolean flush) {
        long seq = nextSeq();
        ByteBuf wire = DataFrames.encode(channel.alloc(), type, epoch, seq, offsetBytes, data);
        CompletableFuture<Frame> ack = expect(seq);
        (flush ? channel.writeAndFlush(wire) : channel.write(wire)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(seq, f.cause());
            }
        });
        return ack;
    }

    /** Sends what {@code sendData(..., false)} left waiting. */
    void flush() {
        channel.flush();
    }

    boolean isOpen() {
        return !closed.isDone() && channel.isActive();
    }

    /** Completes when the connection is closed. */
    CompletableFuture<Void> closedFuture() {
        return closed;
    }

    String closeReason() {
        return closeReason;
    }

    void close(String reason) {
        if (!closed.isDone()) {
            closeReason = reason;
        }
        channel.close();
    }

    private CompletableFuture<Frame> expect(long seq) {
        CompletableFuture<Frame> ack = new CompletableFuture<>();
        pending.put(seq, ack);
        if (closed.isDone()) {
            // Closed meanwhile: the sweep in channelInactive may have missed this one.
            fail(seq, null);
        }
        return ack;
    }

    private void fail(long seq, Throwable cause) {
        CompletableFuture<Frame> f = pending.remove(seq);
        if (f != null) {
            f.completeExceptionally(new IOException("mirror peer link " + channel.remoteAddress() + ": "
                    + (cause == null ? closeReason : cause.getMessage()), cause));
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Frame> {
        private final LongConsumer onFenced;

        Handler(LongConsumer onFenced) {
            this.onFenced = onFenced;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws IOException {
            switch (frame.type()) {
                case HELLO -> helloReply.complete(frame);
                case WRITE_ACK, FLUSH_ACK, RS_ACK -> {
                    CompletableFuture<Frame> f = pending.remove(frame.seq());
                    if (f != null) {
                        f.complete(frame);
                    }
                }
                case FENCED -> {
                    long theirs = FencedPayload.from(frame).highestEpochSeen();
                    close("peer refused our frames: it has seen grant epoch " + theirs);
                    onFenced.accept(theirs);
                }
                case ERROR -> close("peer refused: " + ErrorPayload.from(frame).message());
                default -> throw new FrameException("a mirror primary does not accept " + frame.type() + " frames");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.complete(null);
            helloReply.completeExceptionally(new IOException(closeReason));
            for (Long seq : pending.keySet()) {
                fail(seq, null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close(cause.getCause() instanceof FrameException fe ? fe.getMessage() : cause.toString());
        }
    }
}
