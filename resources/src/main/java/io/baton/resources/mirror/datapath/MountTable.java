package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code /proc/self/mountinfo}: which paths are mount points, of what. */
final class MountTable {

    /** One line of mountinfo: where, what type, from which source. */
    record Entry(Path mountPoint, String fstype, String source) {}

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {}

    static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            // id parent major:minor root mountpoint options [optional fields...] - fstype source superopts
            String[] fields = line.split(" ");
            int dash = indexOf(fields, "-");
            if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) {
                continue;
            }
            entries.add(new Entry(Path.of(unescape(fields[4])), fields[dash + 1], unescape(fields[dash + 2])));
        }
        return entries;
    }

    /** Whether something is mounted exactly at {@code path} (after resolving symlinks of its parents). */
    static boolean isMountPoint(Path path) throws IOException {
        Path wanted = canonical(path);
        return read().stream().anyMatch(e -> e.mountPoint().equals(wanted));
    }

    /** The mount at exactly {@code path}, the most recent one if stacked, or null. */
    static Entry find(Path path) throws IOException {
        Path wanted = canonical(path);
        Entry found = null;
        for (Entry e : read()) {
            if (e.mountPoint().equals(wanted)) {
                found = e;
            }
        }
        return found;
    }

    static Path canonical(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            return abs; // missing, or a dead FUSE mount that cannot be stat'ed: compare as given
        }
    }

    private static int indexOf(String[] fields, String value) {
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals(value)) {
                return i;
            }
        }
        return -1;
    }

    /** mountinfo writes space, tab, newline and backslash as \040, \011, \012, \134. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
