package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A {@link BlockStore} on one local file or block device, without replication: what tests and
 * benchmarks serve through the FUSE file, and the local half of a replicating store.
 *
 * <p>The size is fixed when opened (the data area's current size, see {@link DataArea#check}).
 * Reads and writes are positional, so the channel's position is never shared state.
 */
public final class FileBlockStore implements BlockStore {

    private final Path path;
    private final FileChannel channel;
    private final long sizeBytes;

    private FileBlockStore(Path path, FileChannel channel, long sizeBytes) {
        this.path = path;
        this.channel = channel;
        this.sizeBytes = sizeBytes;
    }

    /**
     * Opens an existing data area for reading and writing.
     *
     * @param minSizeBytes the size the resource needs; a smaller area is refused with a message
     *     naming both sizes
     */
    public static FileBlockStore open(Path path, long minSizeBytes) throws IOException {
        long size = DataArea.check(path, minSizeBytes);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new FileBlockStore(path, channel, size);
    }

    public Path path() {
        return path;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public int read(long offsetBytes, ByteBuffer dst) throws IOException {
        checkRange(offsetBytes, 0);
        // Never past the end: a block device would return an error, a file would just grow the
        // illusion that the store is larger than it is.
        int want = (int) Math.min(dst.remaining(), sizeBytes - offsetBytes);
        int limit = dst.limit();
        dst.limit(dst.position() + want);
        int total = 0;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, offsetBytes + total);
                if (n < 0) {
                    break; // a sparse image shorter than its nominal size cannot happen; be safe anyway
                }
                total += n;
            }
        } finally {
            dst.limit(limit);
        }
        return total;
    }

    @Override
    public void write(long offsetBytes, ByteBuffer src) throws IOException {
        checkRange(offsetBytes, src.remaining());
        long pos = offsetBytes;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    /** fdatasync: the data and what is needed to read it back, not the timestamps. */
    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void checkRange(long offsetBytes, int length) throws IOException {
        if (offsetBytes < 0 || offsetBytes > sizeBytes || length > sizeBytes - offsetBytes) {
            throw new IOException("range " + offsetBytes + "+" + length + " is outside " + path
                    + " (" + sizeBytes + " bytes)");
        }
    }

    @Override
    public String toString() {
        return "FileBlockStore[" + Objects.toString(path) + ", " + sizeBytes + " bytes]";
    }
}
