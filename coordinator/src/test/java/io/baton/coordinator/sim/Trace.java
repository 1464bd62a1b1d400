package io.baton.coordinator.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened, one line per step: the last lines for a failure message, a hash of all of them to
 * prove that a seed replays exactly, and optionally the whole trace (single-seed runs).
 */
final class Trace {
    static final int TAIL_LINES = 40;

    private final Scheduler scheduler;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final List<String> all;
    private long hash = 1125899906842597L;
    private long lines;

    Trace(Scheduler scheduler, boolean keepAll) {
        this.scheduler = scheduler;
        this.all = keepAll ? new ArrayList<>() : null;
    }

    void add(String who, String text) {
        long t = scheduler.now();
        String line = String.format("%4d.%06d %-8s %s", t / 1_000_000_000L, (t / 1_000) % 1_000_000, who, text);
        hash = 31 * hash + line.hashCode();
        lines++;
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        if (all != null) {
            all.add(line);
        }
    }

    long hash() {
        return hash;
    }

    long lines() {
        return lines;
    }

    String tail() {
        return String.join("\n", tail);
    }

    void writeAll(Path file) {
        if (all == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
