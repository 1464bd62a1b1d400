package io.baton.node.audit;

import io.baton.proto.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The file {@code events.jsonl} of a data directory and its rotated predecessors: appends events as
 * lines, at most once each, in seq order. Not thread-safe: one writer thread owns it.
 *
 * <p>What the file holds is the truth about what was written. Opening it (at start, and again after
 * a failed write) cuts off a torn last line (a crash or a full disk in the middle of a write) and
 * reads the seq of the last whole event line, looking in {@code events.jsonl.1} when the current file
 * has none (a crash just after a rotation). So a retry after a failure that struck halfway through a
 * batch writes neither a line twice nor a torn one.
 */
public final class EventsFile implements AutoCloseable {
    public static final String NAME = "events.jsonl";
    /** How far back from the end a last whole line is looked for; lines are a few hundred bytes. */
    private static final int TAIL_BYTES = 1024 * 1024;

    private final Path dir;
    private final Path path;
    private final long maxBytes;
    private final int kept;
    private final Consumer<String> warn;
    private FileChannel channel;
    private long size;
    private long lastSeq;

    /**
     * @param warn told one line when a torn line is cut off or the file misses events (a gap)
     */
    public EventsFile(Path dir, long maxBytes, int kept, Consumer<String> warn) {
        this.dir = dir;
        this.path = dir.resolve(NAME);
        this.maxBytes = maxBytes;
        this.kept = kept;
        this.warn = warn;
    }

    public Path path() {
        return path;
    }

    /** The seq of the last event in the file (0 if none); opens the file if it is not open. */
    public long lastSeq() throws IOException {
        open();
        return lastSeq;
    }

    /**
     * Appends, in order, the events of {@code events} the file does not hold yet, then forces them
     * to disk. On an exception the file is closed, and the next call opens it again.
     */
    public void append(List<Event> events) throws IOException {
        open();
        try {
            boolean wrote = false;
            for (Event e : events) {
                SeqBook.Step step = SeqBook.step(lastSeq, e.getSeq());
                if (step == SeqBook.Step.SKIP) {
                    continue;
                }
                byte[] line = (AuditLine.of(e) + "\n").getBytes(StandardCharsets.UTF_8);
                if (Rotation.needed(size, line.length, maxBytes)) {
                    rotate();
                }
                writeFully(line);
                if (step == SeqBook.Step.WRITE_AFTER_GAP) {
                    warn.accept(SeqBook.gap(path.toString(), lastSeq, e.getSeq()));
                }
                size += line.length;
                lastSeq = e.getSeq();
                wrote = true;
            }
            if (wrote) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException x) {
            closeQuietly();
            throw x;
        }
    }

    private void writeFully(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b, size + b.position());
        }
    }

    private void rotate() throws IOException {
        channel.force(false);
        channel.close();
        channel = null;
        for (Rotation.Rename r : Rotation.plan(NAME, kept)) {
            Path from = dir.resolve(r.from());
            if (r.to() == null) {
                Files.deleteIfExists(from);
            } else if (Files.exists(from)) {
                Files.move(from, dir.resolve(r.to()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        size = 0;
    }

    private void open() throws IOException {
        if (channel != null) {
            return;
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long end = wholeLinesEnd(ch);
            if (end < ch.size()) {
                warn.accept(path + ": cut off a torn last line of " + (ch.size() - end)
                        + " bytes (a crash or a failed write in the middle of it)");
                ch.truncate(end);
                ch.force(false);
            }
            OptionalLong last = lastSeqIn(ch, end);
            if (last.isEmpty()) { // empty, or nothing in it is an event line
                last = lastSeqOf(dir.resolve(NAME + ".1"));
            }
            channel = ch;
            size = end;
            lastSeq = last.orElse(0);
        } catch (IOException | RuntimeException x) {
            ch.close();
            throw x;
        }
    }

    /** Where the last whole line ends (after its newline): 0 when there is none. */
    private static long wholeLinesEnd(FileChannel ch) throws IOException {
        long end = ch.size();
        while (end > 0) {
            int n = (int) Math.min(64 * 1024, end);
            byte[] chunk = read(ch, end - n, n);
            for (int i = n - 1; i >= 0; i--) {
                if (chunk[i] == '\n') {
                    return end - n + i + 1;
                }
            }
            end -= n;
        }
        return 0;
    }

    /** The seq of the last line of the first {@code end} bytes that is an event line. */
    private static OptionalLong lastSeqIn(FileChannel ch, long end) throws IOException {
        int n = (int) Math.min(TAIL_BYTES, end);
        String tail = new String(read(ch, end - n, n), StandardCharsets.UTF_8);
        String[] lines = tail.split("\n");
        // The first line of a tail that starts mid-file may be cut: it fails to parse and is passed.
        for (int i = lines.length - 1; i >= 0; i--) {
            OptionalLong seq = AuditLine.seqOf(lines[i]);
            if (seq.isPresent()) {
                return seq;
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong lastSeqOf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return lastSeqIn(ch, wholeLinesEnd(ch));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    private static byte[] read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                break;
            }
        }
        return b.array();
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a failure: the next open starts over
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.force(false);
            } catch (IOException ignored) {
                // best effort: every batch was forced when it was written
            }
        }
        closeQuietly();
    }
}
