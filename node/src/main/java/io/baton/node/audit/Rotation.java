package io.baton.node.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * When and how {@code events.jsonl} is rotated, pure: the file is renamed {@code events.jsonl.1}
 * (the older ones shift to {@code .2} ... {@code .N}; {@code .N} is deleted) before a line would
 * take it over its size limit. A file never rotates while empty, so a line longer than the limit
 * still gets written (alone in its file).
 */
public final class Rotation {
    /** 32 MiB: about 100,000 events at the usual 200–350 bytes a line. */
    public static final long MAX_FILE_BYTES = 32L * 1024 * 1024;
    /** Rotated files kept besides the current one: at most 9 × 32 MiB on disk. */
    public static final int KEPT = 8;

    private Rotation() {
    }

    /** Whether a file of {@code size} bytes must rotate before a line of {@code lineBytes} is appended. */
    public static boolean needed(long size, long lineBytes, long maxBytes) {
        return size > 0 && size + lineBytes > maxBytes;
    }

    /** A rename, {@code from} to {@code to} (file names); {@code to} null means delete {@code from}. */
    public record Rename(String from, String to) {}

    /**
     * The renames of one rotation of {@code name} keeping {@code kept} old files, in the order to do
     * them: the oldest is deleted first, so that no rename overwrites a file still to be shifted.
     */
    public static List<Rename> plan(String name, int kept) {
        if (kept < 1) {
            throw new IllegalArgumentException("at least one rotated file is kept: " + kept);
        }
        List<Rename> steps = new ArrayList<>();
        steps.add(new Rename(name + "." + kept, null));
        for (int i = kept - 1; i >= 1; i--) {
            steps.add(new Rename(name + "." + i, name + "." + (i + 1)));
        }
        steps.add(new Rename(name, name + ".1"));
        return steps;
    }
}
