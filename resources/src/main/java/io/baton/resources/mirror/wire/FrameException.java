package io.baton.resources.mirror.wire;

import java.io.IOException;

/**
 * Bytes from a peer that are not a valid frame or payload: bad magic or version, unknown type,
 * oversized length, checksum mismatch, malformed payload. The stream cannot be resynchronized after
 * one, so the connection is closed.
 */
public class FrameException extends IOException {
    public FrameException(String message) {
        super(message);
    }
}
