package io.baton.node.admin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admin server's calls: at most {@code maxCalls} in progress, the rest refused at once with
 * RESOURCE_EXHAUSTED, and their work run on a fixed pool of a few threads (the server itself runs
 * gRPC on its Netty threads, which only read and write). A call keeps its place from its headers
 * until its last callback (complete or cancelled) has run.
 */
final class BoundedCalls implements ServerInterceptor {
    static final String BUSY = "admin server busy: %d calls in progress (the limit); try again shortly";

    private final Semaphore places;
    private final int maxCalls;
    private final ExecutorService pool;

    BoundedCalls(int maxCalls, ExecutorService pool) {
        this.maxCalls = maxCalls;
        this.places = new Semaphore(maxCalls);
        this.pool = pool;
    }

    int inProgress() {
        return maxCalls - places.availablePermits();
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        if (!places.tryAcquire()) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(String.format(BUSY, maxCalls)), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                places.release();
            }
        };
        Serial serial = new Serial(call, release);
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(Q message) {
                serial.run(() -> listener.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                serial.run(listener::onHalfClose);
            }

            // A call's place is freed by its last task, not when it is closed: so a call holding a
            // place has at most one task queued, and the pool's queue (maxCalls long) cannot overflow.
            @Override
            public void onCancel() {
                serial.run(() -> {
                    try {
                        listener.onCancel();
                    } finally {
                        release.run();
                    }
                });
            }

            @Override
            public void onComplete() {
                serial.run(() -> {
                    try {
                        listener.onComplete();
                    } finally {
                        release.run();
                    }
                });
            }

            @Override
            public void onReady() {
                serial.run(listener::onReady);
            }
        };
    }

    /** Runs one call's callbacks on the pool, one at a time and in order. */
    private final class Serial {
        private final ServerCall<?, ?> call;
        private final Runnable release;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean scheduled;

        Serial(ServerCall<?, ?> call, Runnable release) {
            this.call = call;
            this.release = release;
        }

        void run(Runnable task) {
            synchronized (this) {
                queue.add(task);
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // Only when the server is shutting down: the queue is as long as the calls allowed.
                synchronized (this) {
                    queue.clear();
                    scheduled = false;
                }
                release.run();
                try {
                    call.close(Status.UNAVAILABLE.withDescription("admin server is shutting down"), new Metadata());
                } catch (IllegalStateException closed) {
                    // already closed
                }
            }
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        scheduled = false;
                        return;
                    }
                }
                next.run();
            }
        }
    }
}
