package io.baton.node.http;

import io.baton.node.metrics.NodeMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP port, on Netty (already the mirror link's transport): one event-loop thread reads
 * every connection without blocking, so a client that sends half a request, random bytes or half a
 * TLS handshake holds a socket, never a thread. (The JDK's built-in server, tried first, does the TLS
 * handshake with blocking reads on its worker threads: four such clients stopped the port.)
 * Answers are computed on two threads of their own (a scrape may wait up to 2 s for the status).
 *
 * <p>Bounds: {@value #MAX_CONNECTIONS} connections (more are closed at once), a handshake must end
 * within {@value #HANDSHAKE_TIMEOUT_MS} ms, a connection that sends nothing for
 * {@value #IDLE_TIMEOUT_S} s is closed, a request line and headers of at most 8 KiB, a body of at most
 * {@value #MAX_BODY} bytes.
 */
public final class HttpPort implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpPort.class);
    static final int MAX_CONNECTIONS = 128;
    static final int HANDSHAKE_TIMEOUT_MS = 5_000;
    static final int IDLE_TIMEOUT_S = 30;
    static final int MAX_BODY = 16 * 1024;

    /** Whether the node is in contact with a Raft leader, and a line that says so or why not. */
    public record Readiness(boolean ready, String line) {}

    /** Answers the web console's paths; must not block (it answers a future). */
    public interface Console {
        CompletableFuture<HttpAnswer> answer(HttpCall call);
    }

    /** When the console has not answered within this, the request is answered 503. */
    static final long CONSOLE_TIMEOUT_S = 10;

    private final EventLoopGroup loop;
    private final ExecutorService answers;
    private final Channel server;
    private final boolean tls;
    private final NodeMetrics metrics;
    private final Supplier<Readiness> readiness;
    private final Console console;
    private final AtomicInteger open = new AtomicInteger();

    private HttpPort(InetSocketAddress address, Optional<SslContext> tls, NodeMetrics metrics,
                     Supplier<Readiness> readiness, Console console) throws IOException {
        this.tls = tls.isPresent();
        this.metrics = metrics;
        this.readiness = readiness;
        this.console = console;
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("baton-http", true), NioIoHandler.newFactory());
        this.answers = Executors.newFixedThreadPool(2, new DefaultThreadFactory("baton-http-answer", true));
        try {
            this.server = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                                open.decrementAndGet();
                                ch.close();
                                return;
                            }
                            ch.closeFuture().addListener(f -> open.decrementAndGet());
                            if (tls.isPresent()) {
                                SslHandler ssl = tls.get().newHandler(ch.alloc());
                                ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
                                ch.pipeline().addLast(ssl);
                            }
                            ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_TIMEOUT_S),
                                    new HttpServerCodec(4096, 8192, 8192),
                                    new HttpObjectAggregator(MAX_BODY),
                                    new Requests());
                        }
                    })
                    .bind(address).sync().channel();
        } catch (Exception e) {
            close();
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Binds {@code address} (HTTPS with {@code tls}: the node's certificate, client certificates of
     * the cluster CA asked for and checked when given) and starts serving.
     */
    public static HttpPort start(InetSocketAddress address, Optional<SslContext> tls, NodeMetrics metrics,
                                 Supplier<Readiness> readiness) throws IOException {
        return new HttpPort(address, tls, metrics, readiness, null);
    }

    /** As above, with the web console at {@code /} and under {@code /console/}. */
    public static HttpPort start(InetSocketAddress address, Optional<SslContext> tls, NodeMetrics metrics,
                                 Supplier<Readiness> readiness, Console console) throws IOException {
        return new HttpPort(address, tls, metrics, readiness, console);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }


    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean head = request.method().name().equals("HEAD");
            if (!request.decoderResult().isSuccess()) {
                reply(ctx, HttpAnswer.text(400, "bad request\n"), false, false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            Optional<X509Certificate> certificate = clientCertificate(ctx);
            HttpRoutes.Route route = HttpRoutes.route(request.method().name(), uri.path(), tls, certificate.isPresent());
            if (route == HttpRoutes.Route.CONSOLE && console != null) {
                HttpCall call = new HttpCall(request.method().name(), uri.path(), uri.parameters(), headers(request),
                        ByteBufUtil.getBytes(request.content()), certificate, tls);
                askConsole(call).whenComplete((answer, error) -> reply(ctx, error == null ? answer
                        : HttpAnswer.text(503, "console unavailable: " + why(error) + "\n"), keepAlive, head));
                return;
            }
            try {
                answers.execute(() -> reply(ctx, answer(route), keepAlive, head));
            } catch (RejectedExecutionException e) {
                ctx.close(); // closing down
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Junk, a failed handshake, a client gone, a read timeout: close, never the node's problem.
            log.debug("http {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** The console's answer, or a 503 when it throws or takes longer than {@value #CONSOLE_TIMEOUT_S} s. */
    private CompletableFuture<HttpAnswer> askConsole(HttpCall call) {
        try {
            return console.answer(call).orTimeout(CONSOLE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            log.warn("web console: {} {}: {}", call.method(), call.path(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String why(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause instanceof java.util.concurrent.TimeoutException ? "no answer within " + CONSOLE_TIMEOUT_S + " s"
                : String.valueOf(cause.getMessage());
    }

    private static Map<String, String> headers(FullHttpRequest request) {
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        return headers;
    }

    private HttpAnswer answer(HttpRoutes.Route route) {
        return switch (route) {
            case HEALTH -> HttpAnswer.text(200, "ok\n");
            case READY -> {
                Readiness r = readiness.get();
                yield HttpAnswer.text(r.ready() ? 200 : 503, r.line() + "\n");
            }
            case METRICS -> {
                try {
                    yield new HttpAnswer(200, NodeMetrics.CONTENT_TYPE, metrics.scrape(), Map.of());
                } catch (IOException | RuntimeException e) {
                    yield HttpAnswer.text(503, "metrics unavailable: " + e.getMessage() + "\n");
                }
            }
            case CERTIFICATE_REQUIRED -> HttpAnswer.text(403,
                    "permission denied: /metrics needs a client certificate of this cluster's CA"
                            + " (batonctl certs issue --name prometheus --role viewer)\n");
            case METHOD_NOT_ALLOWED -> HttpAnswer.text(405, "only GET and HEAD\n").with("Allow", "GET, HEAD");
            default -> HttpAnswer.text(404, "not found; try /, /metrics, /healthz or /readyz\n");
        };
    }

    private static void reply(ChannelHandlerContext ctx, HttpAnswer a, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(a.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
        a.headers().forEach((name, value) -> response.headers().set(name, value));
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static Optional<X509Certificate> clientCertificate(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            // Present only if it chained to the cluster CA: the handshake's trust manager checked it.
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        answers.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
