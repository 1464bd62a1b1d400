package io.baton.node.config;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes byte sizes of the cluster file ({@code 64MiB}, {@code 1GiB}, {@code 2TiB}).
 *
 * <p>Binary units only, spelled out: {@code 1G} or {@code 1GB} would leave the operator guessing
 * whether 10^9 or 2^30 bytes were meant, and a mirror disk's size must be the same on every node.
 */
public final class SizeParser {

    private static final Pattern FORMAT = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB|TiB)");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private SizeParser() {}

    /** Parses {@code 512MiB} and the like; the message quotes the text when it is not a size. */
    public static long parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; expected a whole number followed by"
                    + " B, KiB, MiB, GiB or TiB, e.g. 512MiB or 1GiB");
        }
        int shift = 10 * java.util.Arrays.asList(UNITS).indexOf(m.group(2));
        BigInteger bytes = new BigInteger(m.group(1)).shiftLeft(shift);
        if (bytes.bitLength() > 62) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.longValueExact();
    }

    /** The largest whole unit: {@code 1073741824} is {@code 1GiB}, {@code 1536MiB} stays so. */
    public static String format(long bytes) {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + UNITS[unit];
    }
}
