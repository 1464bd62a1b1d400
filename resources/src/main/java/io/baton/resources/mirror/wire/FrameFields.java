package io.baton.resources.mirror.wire;

/**
 * What every received frame has, however its payload is held: a decoded {@link Frame} (a copied
 * payload) or a data frame whose data stays in the network buffer.
 */
public interface FrameFields {
    FrameType type();

    long epoch();

    long seq();
}
