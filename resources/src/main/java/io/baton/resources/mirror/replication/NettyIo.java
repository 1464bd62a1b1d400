package io.baton.resources.mirror.replication;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Event loops for the mirror: NIO only, on purpose. Native transports (epoll, io_uring) need native
 * libraries the target kernels and sandboxes may lack, and the mirror's frames are large enough that
 * the transport's per-call overhead does not matter.
 */
final class NettyIo {

    private NettyIo() {}

    static EventLoopGroup group(String name, int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    }
}
