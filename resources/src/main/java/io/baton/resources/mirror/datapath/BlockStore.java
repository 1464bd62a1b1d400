package io.baton.resources.mirror.datapath;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A fixed-size array of bytes that the FUSE file of a mirror disk serves: a plain local file in
 * tests and benchmarks, the replicating primary in production.
 *
 * <p>Called from several FUSE request threads at once: reads, writes and flushes may run
 * concurrently (the loop device keeps several in flight), and {@link #fence} comes from yet another
 * thread. Overlapping concurrent writes have no defined order (as on a disk), but every replica
 * must end with the same one.
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

    /**
     * Returns once every write that completed before this call is on stable storage on every UpToDate
     * replica.
     */
    void flush() throws IOException;

    /** From another thread: every later or waiting {@link #write} and {@link #flush} fails at once. */
    default void fence() {}
}
