package io.baton.node.admin;

import java.nio.charset.StandardCharsets;

/**
 * What a group or node name in an admin request may be: at most {@value #MAX_BYTES} bytes of UTF-8,
 * printable characters only. Every name of every request is checked before anything is proposed, so
 * that a hostile or mistaken request never becomes a Raft entry (a 600 KB name made the leader step
 * down each time), and no refusal echoes a raw name: a line break, a NUL, a terminal escape or a
 * bidi override would reach the operator's terminal or a log as is. Names in the cluster file are
 * stricter still ({@code [A-Za-z0-9._-]+}), so a refused name is never one that exists.
 *
 * <p>Not printable: control characters (C0, DEL, C1), format characters (among them the bidi
 * embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, zero-width characters and the
 * byte order mark), line and paragraph separators, lone surrogates, private-use and unassigned code
 * points.
 */
public final class NameRule {
    /** The longest name, in UTF-8 bytes. */
    public static final int MAX_BYTES = 256;
    /** How much of a refused name a message shows, in characters, escaped. */
    static final int PREVIEW_CHARS = 32;

    private static final String RULE = "names are at most " + MAX_BYTES + " bytes of printable characters";

    private NameRule() {
    }

    /**
     * The first problem with the given names, or null when all are acceptable. An empty name is
     * acceptable here: whether one is required is the caller's business.
     *
     * @param labelsAndValues pairs: how the message calls the name ({@code group}, {@code node}), its value
     */
    public static String problem(String... labelsAndValues) {
        if (labelsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels and values come in pairs");
        }
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            String problem = problemWith(labelsAndValues[i], labelsAndValues[i + 1]);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String problemWith(String label, String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return label + " name of " + bytes + " bytes (" + preview(name) + ") is too long; " + RULE;
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (!printable(c)) {
                return label + " name " + preview(name) + " has an unprintable character (" + codePoint(c)
                        + ") at position " + (name.codePointCount(0, i) + 1) + "; " + RULE;
            }
            i += Character.charCount(c);
        }
        return null;
    }

    /** Whether {@code c} shows as itself: not a control, format, separator, surrogate, private or unassigned. */
    public static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    /**
     * A safe view of a name for a message: quoted, its first {@value #PREVIEW_CHARS} characters with
     * every unprintable one (and the backslash and quote) escaped, and how much was left out.
     */
    public static String preview(String name) {
        StringBuilder b = new StringBuilder("'");
        int shown = 0;
        int i = 0;
        while (i < name.length() && shown < PREVIEW_CHARS) {
            int c = name.codePointAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                default -> {
                    if (printable(c)) {
                        b.appendCodePoint(c);
                    } else {
                        b.append(c <= 0xFFFF ? String.format("\\u%04X", c) : String.format("\\U%06X", c));
                    }
                }
            }
            shown++;
            i += Character.charCount(c);
        }
        b.append('\'');
        if (i < name.length()) {
            b.append("... (").append(name.codePointCount(i, name.length())).append(" more characters)");
        }
        return b.toString();
    }

    private static String codePoint(int c) {
        return String.format("U+%04X", c);
    }
}
