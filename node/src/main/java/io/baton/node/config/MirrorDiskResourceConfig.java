package io.baton.node.config;

import java.util.Objects;

/**
 * A disk whose every write on the owner is on the other data node before it is acknowledged, mounted
 * only on the owner (see docs/mirror.md).
 *
 * <p>Paths may contain {@code ${node}}, replaced by the node's id: clusters whose nodes share a file
 * system (the local demo) keep each replica apart that way.
 *
 * @param name           unique within the group
 * @param data           the data area: a block device, or an image file created at {@code sizeBytes}
 * @param metadata       the metadata area: a small file (or partition) holding generation ids, the
 *                       highest epoch seen and the dirty bitmap
 * @param sizeBytes      the size of the disk, the same on every node; a multiple of 4 KiB
 * @param mount          where the owner mounts the filesystem
 * @param fstype         the filesystem created on a new disk and mounted, ext4 or xfs
 * @param resyncRateBytesPerSecond the resync speed limit, 0 for none
 */
public record MirrorDiskResourceConfig(String name, String data, String metadata, long sizeBytes, String mount,
                                       String fstype, long resyncRateBytesPerSecond) implements ResourceConfig {

    /** The {@code type} of this resource in the cluster file. */
    public static final String TYPE = "mirror_disk";
    /** ext4 needs some room for its journal and tables; smaller disks are a configuration slip. */
    public static final long MIN_SIZE_BYTES = 16L << 20;
    public static final int BLOCK_SIZE_BYTES = 4096;
    public static final String DEFAULT_FSTYPE = "ext4";

    public MirrorDiskResourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(mount, "mount");
        Objects.requireNonNull(fstype, "fstype");
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** {@code path} with {@code ${node}} replaced by {@code nodeId}. */
    public static String forNode(String path, String nodeId) {
        return path.replace("${node}", nodeId);
    }
}
