package io.baton.node.cli;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned text columns separated by two spaces; the last column is not padded. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
    }

    TextTable row(String... cells) {
        rows.add(cells);
        return this;
    }

    /** Appends every row (header first), each prefixed by {@code indent}. */
    void appendTo(StringBuilder sb, String indent) {
        int[] widths = widths(rows);
        for (String[] row : rows) {
            sb.append(indent).append(format(row, widths)).append('\n');
        }
    }

    static int[] widths(List<String[]> rows) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        return widths;
    }

    static String format(String[] row, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            line.append(row[i]);
            if (i < row.length - 1) {
                line.append(" ".repeat(widths[i] - row[i].length()));
            }
        }
        return line.toString().stripTrailing();
    }
}
