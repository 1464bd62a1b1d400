package io.baton.resources.mirror.meta;

import java.io.IOException;

/**
 * Mirror metadata that cannot be used: a superblock with a bad magic, version or checksum, an area
 * too small for its data, or one that belongs to another resource. The message says which and why,
 * and is shown to operators as is.
 */
public class MetadataException extends IOException {
    public MetadataException(String message) {
        super(message);
    }
}
