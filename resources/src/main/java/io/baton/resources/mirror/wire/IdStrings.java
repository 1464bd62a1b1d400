package io.baton.resources.mirror.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Resource and node ids in binary forms (superblock, HELLO): UTF-8 behind a 2-byte length, at most
 * {@link #MAX_ID_BYTES} bytes, so that a fixed 4 KiB superblock always has room for both.
 */
public final class IdStrings {

    /** Longest id in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 255;

    private IdStrings() {}

    /** Refuses empty or over-long ids, naming {@code what}. */
    public static String check(String what, String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES) {
            throw new IllegalArgumentException(what + " is " + bytes + " bytes in UTF-8, limit " + MAX_ID_BYTES);
        }
        return id;
    }

    public static int encodedSize(String id) {
        return Short.BYTES + id.getBytes(StandardCharsets.UTF_8).length;
    }

    public static void put(ByteBuffer dst, String id) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        dst.putShort((short) b.length);
        dst.put(b);
    }

    /**
     * Reads one id, or explains in the exception message why it is not one (length out of range,
     * past the end, not UTF-8).
     */
    public static String get(ByteBuffer src, String what) {
        if (src.remaining() < Short.BYTES) {
            throw new IllegalArgumentException(what + " length is cut off");
        }
        int len = Short.toUnsignedInt(src.getShort());
        if (len == 0 || len > MAX_ID_BYTES) {
            throw new IllegalArgumentException(what + " length " + len + " is outside 1.." + MAX_ID_BYTES);
        }
        if (src.remaining() < len) {
            throw new IllegalArgumentException(what + " of " + len + " bytes is cut off");
        }
        ByteBuffer slice = src.slice();
        slice.limit(len);
        src.position(src.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice)
                    .toString();
        } catch (CharacterCodingException | BufferUnderflowException e) {
            throw new IllegalArgumentException(what + " is not valid UTF-8");
        }
    }
}
