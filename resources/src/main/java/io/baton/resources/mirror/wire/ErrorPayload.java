package io.baton.resources.mirror.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The payload of an ERROR frame: why the sender refuses the connection, in UTF-8, so that the other
 * side can log the real reason (a size or resource mismatch) instead of "connection closed".
 * Cut to {@link #MAX_BYTES}.
 */
public record ErrorPayload(String message) {

    public static final int MAX_BYTES = FrameCodec.PAYLOAD_FIELDS_MAX_BYTES;

    public ErrorPayload {
        message = message == null ? "" : message;
    }

    public Frame toFrame(long epoch, long seq) {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        return new Frame(FrameType.ERROR, epoch, seq, b.length <= MAX_BYTES ? b : Arrays.copyOf(b, MAX_BYTES));
    }

    public static ErrorPayload from(Frame frame) throws FrameException {
        if (frame.type() != FrameType.ERROR) {
            throw new FrameException("expected an ERROR frame, got " + frame.type());
        }
        // Lenient on purpose: a reason cut inside a character is still worth logging.
        return new ErrorPayload(new String(frame.payload(), StandardCharsets.UTF_8));
    }
}
