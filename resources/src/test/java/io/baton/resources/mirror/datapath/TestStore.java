package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a store to count flushes and to fail writes (and flushes) on demand. */
final class TestStore implements BlockStore {

    private final BlockStore inner;
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicBoolean failWrites = new AtomicBoolean();

    TestStore(BlockStore inner) {
        this.inner = inner;
    }

    @Override
    public long sizeBytes() {
        return inner.sizeBytes();
    }

    @Override
    public int read(long offsetBytes, ByteBuffer dst) throws IOException {
        return inner.read(offsetBytes, dst);
    }

    @Override
    public void write(long offsetBytes, ByteBuffer src) throws IOException {
        if (failWrites.get()) {
            throw new IOException("injected write failure at " + offsetBytes);
        }
        inner.write(offsetBytes, src);
    }

    @Override
    public void flush() throws IOException {
        if (failWrites.get()) {
            throw new IOException("injected flush failure");
        }
        flushes.incrementAndGet();
        inner.flush();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
