package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.datapath.IoFlusher;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

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

    /**
     * Like {@link #group}, its threads marked as I/O flushers ({@link IoFlusher}): for the owner's
     * link to its peer, which every write of the mounted disk goes through.
     */
    static EventLoopGroup ioFlusherGroup(String name, int threads) {
        DefaultThreadFactory base = new DefaultThreadFactory(name, true);
        ThreadFactory marked = r -> base.newThread(() -> {
            IoFlusher.markCurrentThread();
            r.run();
        });
        return new MultiThreadIoEventLoopGroup(threads, marked, NioIoHandler.newFactory());
    }
}
