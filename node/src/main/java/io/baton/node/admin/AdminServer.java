package io.baton.node.admin;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin gRPC server with its limits ({@link AdminLimits}): Netty threads of its own (one
 * accepts, one reads and writes), the connection limits of {@link AdminPort}, {@link BoundedCalls}
 * for the calls, and gRPC's own request-size and idle limits. Nothing here is shared with the
 * node's heartbeats, lease or fencing. Shutting it down also ends its threads.
 */
final class AdminServer extends Server {
    /** gRPC's limit on streams per connection: a single connection cannot hold every call place. */
    static final int CALLS_PER_CONNECTION = 32;

    private final Server grpc;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ThreadPoolExecutor pool;

    private AdminServer(Server grpc, EventLoopGroup boss, EventLoopGroup workers, ThreadPoolExecutor pool) {
        this.grpc = grpc;
        this.boss = boss;
        this.workers = workers;
        this.pool = pool;
    }

    /**
     * @param tls the server's TLS (client certificate required), or null for plaintext: then every
     *            caller may make every call, as before TLS
     */
    static Server build(InetSocketAddress address, AdminService service, AdminLimits limits, ServerCredentials tls) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(limits.callThreads(), limits.callThreads(), 0,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.maxCalls()), r -> {
                    Thread t = new Thread(r, "baton-admin-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("baton-admin-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(1, new DefaultThreadFactory("baton-admin-io", true));
        AdminPort port = new AdminPort(limits.connections());
        // BoundedCalls first (it moves the call to the pool), then AdminAuth, whose context then
        // travels with the call's callbacks on the pool's thread.
        ServerServiceDefinition calls = tls == null
                ? ServerInterceptors.intercept(service, new BoundedCalls(limits.maxCalls(), pool))
                : ServerInterceptors.intercept(service, new AdminAuth(), new BoundedCalls(limits.maxCalls(), pool));
        Server grpc = (tls == null ? NettyServerBuilder.forAddress(address) : NettyServerBuilder.forAddress(address, tls))
                .channelFactory(port::newChannel)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                // gRPC itself only reads and writes; BoundedCalls moves the calls' work to the pool.
                .directExecutor()
                .maxInboundMessageSize(limits.maxRequestBytes())
                .maxInboundMetadataSize(16 * 1024)
                .maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION)
                .maxConnectionIdle(limits.connections().idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .addService(calls)
                .build();
        return new AdminServer(grpc, boss, workers, pool);
    }

    @Override
    public Server start() throws IOException {
        try {
            grpc.start();
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
        return this;
    }

    @Override
    public int getPort() {
        return grpc.getPort();
    }

    @Override
    public List<? extends SocketAddress> getListenSockets() {
        return grpc.getListenSockets();
    }

    @Override
    public Server shutdown() {
        grpc.shutdown();
        releaseWhenTerminated();
        return this;
    }

    @Override
    public Server shutdownNow() {
        grpc.shutdownNow();
        releaseWhenTerminated();
        return this;
    }

    @Override
    public boolean isShutdown() {
        return grpc.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return grpc.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return grpc.awaitTermination(timeout, unit);
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    private void releaseWhenTerminated() {
        Thread t = new Thread(() -> {
            try {
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release();
        }, "baton-admin-release");
        t.setDaemon(true);
        t.start();
    }

    private void release() {
        pool.shutdownNow();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
