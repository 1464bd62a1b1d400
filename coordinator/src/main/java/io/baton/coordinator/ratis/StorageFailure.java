package io.baton.coordinator.ratis;

import java.nio.file.FileSystemException;
import java.util.List;
import java.util.Locale;

/**
 * A failed write to a node's own storage (its Raft log, Raft metadata, a snapshot, the data
 * directory's write probe): which path, and the operating system's reason with its errno name.
 *
 * <p>Such a failure is fatal for the node, handled like a crash (see docs/design.md): a node that
 * cannot write its log can neither vote nor acknowledge entries safely, yet its heartbeats still
 * commit through the other members, so without this it would keep its lease while its replica
 * stands still.
 */
public record StorageFailure(String path, String reason) {

    /** Errno names by the text the C library (and so the JDK) gives for them. */
    private record Errno(String name, String text) {}

    private static final List<Errno> KNOWN = List.of(
            new Errno("ENOSPC", "No space left on device"),
            new Errno("EROFS", "Read-only file system"),
            new Errno("EIO", "Input/output error"),
            new Errno("EDQUOT", "Disk quota exceeded"),
            new Errno("EACCES", "Permission denied"),
            new Errno("ENOENT", "No such file or directory"));

    /** One line for the log: {@code data directory PATH: REASON}. */
    public String line() {
        return "data directory " + path + ": " + reason;
    }

    /**
     * The failure {@code error} describes: the path of the innermost {@link FileSystemException} in
     * its causes (else {@code fallbackPath}), and its reason with the errno name where it is known.
     */
    public static StorageFailure of(Throwable error, String fallbackPath) {
        String path = fallbackPath;
        String text = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FileSystemException fs) {
                if (fs.getFile() != null) {
                    path = fs.getFile();
                }
                if (fs.getReason() != null) {
                    text = fs.getReason();
                }
            }
            if (text == null && errnoIn(t.getMessage()) != null) {
                text = t.getMessage();
            }
        }
        if (text == null) {
            text = error == null ? "write failed" : String.valueOf(error.getMessage() != null ? error.getMessage() : error);
        }
        return new StorageFailure(path, reason(text));
    }

    /** {@code text} with the errno name of the reason it contains appended, e.g. "No space left on device (ENOSPC)". */
    static String reason(String text) {
        Errno e = errnoIn(text);
        if (e == null) {
            return text;
        }
        return e.text + " (" + e.name + ")";
    }

    private static Errno errnoIn(String text) {
        if (text == null) {
            return null;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (Errno e : KNOWN) {
            if (lower.contains(e.text.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        return null;
    }
}
