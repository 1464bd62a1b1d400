package io.baton.resources.mirror;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A fixed-size array of bytes that the FUSE file of a mirror disk serves: a plain local file in
 * tests and benchmarks, the replicating primary in production.
 *
 * <p>Called from the single FUSE request thread: implementations need not accept concurrent calls
 * to {@link #write}, but {@link #fence} comes from another thread.
 */
public interface BlockStore extends Closeable {

    /** The size in bytes; never changes. */
    long sizeBytes();

    /**
     * Fills {@code dst} from {@code offsetBytes}; short only at the end of the store.
     *
     * @return the number of bytes read
     */
    int read(long offsetBytes, ByteBuffer dst) throws IOException;

    /**
     * Writes all of {@code src} at {@code offsetBytes}. Returns once every replica that committed
     * state records as UpToDate holds the data (protocol C); an IOException means the write may be
     * anywhere or nowhere and the caller must report EIO.
     */
    void write(long offsetBytes, ByteBuffer src) throws IOException;

    /** Returns once everything written before is on stable storage on every UpToDate replica. */
    void flush() throws IOException;

    /** From another thread: every later or waiting {@link #write} and {@link #flush} fails at once. */
    default void fence() {}
}
