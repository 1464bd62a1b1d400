package io.baton.resources.mirror.meta;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The mirror's "cluster partition": a small file or block device holding a replica's superblock and
 * dirty bitmap.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0</td><td>4 KiB</td><td>superblock slot A</td></tr>
 *   <tr><td>4096</td><td>4 KiB</td><td>superblock slot B</td></tr>
 *   <tr><td>8192</td><td>ceil(blocks / 8) rounded up to 4 KiB</td><td>dirty bitmap pages</td></tr>
 *   <tr><td>after the bitmap</td><td>2 × 4 KiB</td><td>activity log slots ({@link ActiveExtents})</td></tr>
 * </table>
 *
 * <p>Why two slots: {@link #write} puts the next sequence into the slot that does not hold the
 * current superblock and forces it, so a crash in the middle of a write (a torn write, at any byte)
 * leaves the current superblock intact in the other slot, and {@link #open} picks the valid slot with
 * the higher sequence. The superblock is never updated in place. The activity log has two slots for
 * the same reason: record {@code n} goes to slot {@code n % 2}, and the valid one with the higher
 * sequence is current. An area made by a build without the activity log is a file 8 KiB shorter:
 * {@link #open} adds the blank slots (no record: a primary that crashed before writing one gets a
 * full resync, as before).
 *
 * <p>The area is locked ({@link FileChannel#tryLock()}) while open, so two processes cannot both
 * write it. Methods are synchronized; a write that throws leaves the in-memory state at the last
 * superblock known to be durable, and the caller must treat the device as failed (after a failed
 * fsync the kernel's idea of the disk cannot be trusted).
 */
public final class MetadataArea implements Closeable {

    public static final int SLOT_SIZE_BYTES = SuperblockCodec.SIZE_BYTES;
    public static final long SLOT_A_OFFSET = 0;
    public static final long SLOT_B_OFFSET = SLOT_SIZE_BYTES;
    public static final long BITMAP_OFFSET = 2L * SLOT_SIZE_BYTES;

    /** Zeros written at a time when formatting the bitmap. */
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final ByteBuffer slotBuffer = ByteBuffer.allocateDirect(SLOT_SIZE_BYTES);
    private final ByteBuffer pageBuffer = ByteBuffer.allocateDirect(DirtyBitmap.PAGE_SIZE_BYTES);
    private final ByteBuffer activityBuffer = ByteBuffer.allocateDirect(ActiveExtents.SLOT_BYTES);
    private Superblock current;
    /** 0 for slot A, 1 for slot B: where {@link #current} lives. */
    private int currentSlot;
    /** The current activity log record; null while neither slot holds one. */
    private ActiveExtents activity;

    private MetadataArea(Path path, FileChannel channel, FileLock lock, Superblock current, int currentSlot,
                         ActiveExtents activity) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.current = current;
        this.currentSlot = currentSlot;
        this.activity = activity;
    }

    /** Bytes an area needs for a data area of {@code dataSizeBytes}: two slots, the bitmap pages, the activity log. */
    public static long requiredSizeBytes(long dataSizeBytes) {
        return activityLogOffset(dataSizeBytes) + 2L * ActiveExtents.SLOT_BYTES;
    }

    private static long activityLogOffset(long dataSizeBytes) {
        long blocks = DirtyBitmap.blockCountFor(dataSizeBytes);
        return BITMAP_OFFSET + (long) DirtyBitmap.pageCountFor(blocks) * DirtyBitmap.PAGE_SIZE_BYTES;
    }

    /**
     * Formats an area for {@code initial}: both slots invalidated, bitmap all clean, then
     * {@code initial} written to slot A with sequence 1. A path that does not exist becomes a file of
     * {@link #requiredSizeBytes}; an existing file or device is used at its size, never resized, and
     * must be large enough. Refuses to format over a valid superblock of another resource: metadata
     * of an unrelated mirror is never overwritten silently. Formatting over the same resource is
     * allowed (it forgets the bitmap, so it must go with a new generation or a full sync).
     */
    public static MetadataArea create(Path path, Superblock initial) throws IOException {
        Objects.requireNonNull(initial, "initial");
        long required = requiredSizeBytes(initial.dataSizeBytes());
        boolean existed = Files.exists(path);
        FileChannel ch = existed
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE_NEW);
        try {
            FileLock lock = lock(path, ch);
            if (existed) {
                refuseOtherResource(path, ch, initial.resourceId());
                checkSize(path, ch.size(), required, initial.dataSizeBytes());
            }
            // Invalidate both slots before touching the bitmap: a crash while formatting must leave
            // no valid superblock next to a half-cleared bitmap.
            zero(ch, SLOT_A_OFFSET, BITMAP_OFFSET);
            ch.force(true);
            zero(ch, BITMAP_OFFSET, required);
            Superblock first = initial.withSequence(1);
            writeSlot(ch, ByteBuffer.allocateDirect(SLOT_SIZE_BYTES), 0, first);
            ActiveExtents none = ActiveExtents.none(1);
            writeActivitySlot(ch, ByteBuffer.allocateDirect(ActiveExtents.SLOT_BYTES), activityLogOffset(initial.dataSizeBytes()), none);
            ch.force(true);
            if (!existed) {
                forceDirectory(path);
            }
            return new MetadataArea(path, ch, lock, first, 0, none);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (!existed) {
                // Half a new file would later be refused as too small or unformatted: leave nothing.
                Files.deleteIfExists(path);
            }
            throw e;
        }
    }

    /** Opens an area and picks its current superblock; refuses an area with none, naming the path. */
    public static MetadataArea open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = lock(path, ch);
            long size = ch.size();
            if (size < BITMAP_OFFSET) {
                throw new MetadataException("metadata area " + path + " is " + size
                        + " bytes, too small for the two " + SLOT_SIZE_BYTES + "-byte superblock slots");
            }
            Slots slots = readSlots(ch);
            int slot = slots.pick(path);
            Superblock sb = slot == 0 ? slots.a : slots.b;
            long required = requiredSizeBytes(sb.dataSizeBytes());
            if (size < required && size >= activityLogOffset(sb.dataSizeBytes()) && Files.isRegularFile(path)) {
                // Made by a build without the activity log: its blank slots are added (no record yet).
                zero(ch, size, required);
                ch.force(true);
                size = ch.size();
            }
            checkSize(path, size, required, sb.dataSizeBytes());
            return new MetadataArea(path, ch, lock, sb, slot, readActivity(ch, activityLogOffset(sb.dataSizeBytes())));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The superblock last written or read: the durable state. */
    public synchronized Superblock current() {
        return current;
    }

    /**
     * Makes {@code next} durable as the following sequence, in the slot that does not hold the current
     * superblock, and returns it as written. The identity of the replica (resource, node, sizes) cannot
     * change, and the highest epoch seen never goes down (S4): an update built from a stale copy is
     * refused rather than allowed to lower it. Prefer {@link #update}, which starts from the current state.
     */
    public synchronized Superblock write(Superblock next) throws IOException {
        checkSameReplica(next);
        if (next.highestEpochSeen() < current.highestEpochSeen()) {
            throw new IllegalArgumentException("highest epoch seen cannot go down from "
                    + current.highestEpochSeen() + " to " + next.highestEpochSeen() + " in " + path);
        }
        Superblock written = next.withSequence(current.sequence() + 1);
        int slot = 1 - currentSlot;
        writeSlot(channel, slotBuffer, slot, written);
        channel.force(false);
        current = written;
        currentSlot = slot;
        return written;
    }

    /**
     * Applies {@code change} to the current superblock and writes the result, unless it equals the
     * current one apart from the sequence (then nothing is written). Returns the durable state.
     */
    public synchronized Superblock update(UnaryOperator<Superblock> change) throws IOException {
        Superblock next = change.apply(current);
        if (next.withSequence(current.sequence()).equals(current)) {
            return current;
        }
        return write(next);
    }

    /** Reads the whole bitmap. */
    public synchronized DirtyBitmap loadBitmap() throws IOException {
        DirtyBitmap bitmap = new DirtyBitmap(current.blockCount());
        for (int page = 0; page < bitmap.pageCount(); page++) {
            pageBuffer.clear();
            readFully(channel, pageBuffer, pageOffset(page));
            pageBuffer.flip();
            try {
                bitmap.readPage(page, pageBuffer);
            } catch (IllegalArgumentException e) {
                throw new MetadataException("metadata area " + path + ": " + e.getMessage());
            }
        }
        return bitmap;
    }

    /**
     * Writes the bitmap's changed pages and forces them; returns how many pages were written. On
     * failure the pages stay marked changed, so a later call tries them again.
     */
    public synchronized int persistBitmap(DirtyBitmap bitmap) throws IOException {
        if (bitmap.blockCount() != current.blockCount()) {
            throw new IllegalArgumentException("bitmap of " + bitmap.blockCount() + " blocks does not fit "
                    + path + ", which holds " + current.blockCount());
        }
        int[] pages = bitmap.takeChangedPages();
        if (pages.length == 0) {
            return 0;
        }
        try {
            for (int page : pages) {
                pageBuffer.clear();
                bitmap.writePage(page, pageBuffer);
                pageBuffer.flip();
                writeFully(channel, pageBuffer, pageOffset(page));
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            bitmap.restoreChangedPages(pages);
            throw e;
        }
        return pages.length;
    }

    /**
     * The current activity log record: the extents the last primary on this replica may have had
     * writes in flight in. Empty if no record was ever written (an area of an older build).
     */
    public synchronized Optional<ActiveExtents> activityLog() {
        return Optional.ofNullable(activity);
    }

    /**
     * Makes {@code extents} (its sequence ignored) the current activity log record, as the next
     * sequence, in the slot that does not hold the current one, and forces it.
     */
    public synchronized ActiveExtents writeActivityLog(ActiveExtents extents) throws IOException {
        ActiveExtents next = extents.withSequence(activity == null ? 1 : activity.sequence() + 1);
        writeActivitySlot(channel, activityBuffer, activityLogOffset(current.dataSizeBytes()), next);
        channel.force(false);
        activity = next;
        return next;
    }

    /** Erases both activity log slots: from now on there is no record (a crash as primary means a full resync). */
    public synchronized void forgetActivityLog() throws IOException {
        zero(channel, activityLogOffset(current.dataSizeBytes()), requiredSizeBytes(current.dataSizeBytes()));
        channel.force(false);
        activity = null;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close(); // releases the lock too
    }

    /** Offset of a superblock slot (0 = A, 1 = B); for tests that tear writes. */
    static long slotOffset(int slot) {
        return slot == 0 ? SLOT_A_OFFSET : SLOT_B_OFFSET;
    }

    /** The slot holding the current superblock; the next write goes to the other. */
    synchronized int currentSlot() {
        return currentSlot;
    }

    private static long pageOffset(int page) {
        return BITMAP_OFFSET + (long) page * DirtyBitmap.PAGE_SIZE_BYTES;
    }

    private void checkSameReplica(Superblock next) {
        if (!next.resourceId().equals(current.resourceId()) || !next.nodeId().equals(current.nodeId())
                || next.dataSizeBytes() != current.dataSizeBytes() || next.blockSizeBytes() != current.blockSizeBytes()) {
            throw new IllegalArgumentException("metadata area " + path + " belongs to resource "
                    + current.resourceId() + " on node " + current.nodeId() + " with " + current.dataSizeBytes()
                    + " bytes of data; refusing a superblock for resource " + next.resourceId() + " on node "
                    + next.nodeId() + " with " + next.dataSizeBytes() + " bytes");
        }
    }

    private static FileLock lock(Path path, FileChannel ch) throws IOException {
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new MetadataException("metadata area " + path + " is in use by another process");
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            throw new MetadataException("metadata area " + path + " is already open in this process");
        }
    }

    private static void refuseOtherResource(Path path, FileChannel ch, String resourceId) throws IOException {
        if (ch.size() < BITMAP_OFFSET) {
            return;
        }
        Slots slots = readSlots(ch);
        for (Superblock sb : new Superblock[] {slots.a, slots.b}) {
            if (sb != null && !sb.resourceId().equals(resourceId)) {
                throw new MetadataException("metadata area " + path + " holds the superblock of resource "
                        + sb.resourceId() + " (node " + sb.nodeId() + ", sequence " + sb.sequence()
                        + "); refusing to format it for " + resourceId + ". Wipe it explicitly if it is unused");
            }
        }
    }

    private static void checkSize(Path path, long size, long required, long dataSizeBytes) throws MetadataException {
        if (size < required) {
            throw new MetadataException("metadata area " + path + " is " + size + " bytes; a data area of "
                    + dataSizeBytes + " bytes needs " + required + " (two " + SLOT_SIZE_BYTES
                    + "-byte superblocks, the bitmap and two " + ActiveExtents.SLOT_BYTES + "-byte activity log slots)");
        }
    }

    /** Both slots, each decoded or left null with the reason it was refused. */
    private static final class Slots {
        Superblock a;
        Superblock b;
        String whyNotA;
        String whyNotB;

        /** The slot to trust: the valid one with the higher sequence. */
        int pick(Path path) throws MetadataException {
            if (a == null && b == null) {
                throw new MetadataException("metadata area " + path + " holds no valid superblock: slot A "
                        + whyNotA + "; slot B " + whyNotB);
            }
            if (a != null && b != null && a.sequence() == b.sequence() && !a.equals(b)) {
                throw new MetadataException("metadata area " + path + " holds two different superblocks with sequence "
                        + a.sequence());
            }
            if (b == null) {
                return 0;
            }
            return a != null && a.sequence() >= b.sequence() ? 0 : 1;
        }
    }

    private static Slots readSlots(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SLOT_SIZE_BYTES);
        Slots s = new Slots();
        for (int slot = 0; slot < 2; slot++) {
            buf.clear();
            readFully(ch, buf, slotOffset(slot));
            buf.flip();
            try {
                Superblock sb = SuperblockCodec.decode(buf);
                if (slot == 0) {
                    s.a = sb;
                } else {
                    s.b = sb;
                }
            } catch (MetadataException e) {
                if (slot == 0) {
                    s.whyNotA = e.getMessage();
                } else {
                    s.whyNotB = e.getMessage();
                }
            }
        }
        return s;
    }

    private static void writeSlot(FileChannel ch, ByteBuffer buf, int slot, Superblock sb) throws IOException {
        buf.clear();
        SuperblockCodec.encode(sb, buf);
        buf.flip();
        writeFully(ch, buf, slotOffset(slot));
    }

    private static void writeActivitySlot(FileChannel ch, ByteBuffer buf, long logOffset, ActiveExtents r) throws IOException {
        buf.clear();
        r.encodeSlot(buf);
        buf.flip();
        writeFully(ch, buf, logOffset + (r.sequence() % 2) * ActiveExtents.SLOT_BYTES);
    }

    /** The valid activity log record with the higher sequence, or null if neither slot holds one. */
    private static ActiveExtents readActivity(FileChannel ch, long logOffset) throws IOException {
        ActiveExtents best = null;
        ByteBuffer buf = ByteBuffer.allocate(ActiveExtents.SLOT_BYTES);
        for (int slot = 0; slot < 2; slot++) {
            buf.clear();
            readFully(ch, buf, logOffset + (long) slot * ActiveExtents.SLOT_BYTES);
            buf.flip();
            try {
                ActiveExtents r = ActiveExtents.decodeSlot(buf);
                if (best == null || r.sequence() > best.sequence()) {
                    best = r;
                }
            } catch (MetadataException e) {
                // blank or torn: the other slot, if any, is the record
            }
        }
        return best;
    }

    private static void zero(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK_BYTES, to - from));
        for (long pos = from; pos < to; ) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), to - pos));
            int n = zeros.remaining();
            writeFully(ch, zeros, pos);
            pos += n;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new MetadataException("metadata area ends at " + pos + " bytes, reading " + buf.remaining()
                        + " more at offset " + offset);
            }
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    /** Makes a new file's directory entry durable, so the area survives a crash right after create. */
    private static void forceDirectory(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
