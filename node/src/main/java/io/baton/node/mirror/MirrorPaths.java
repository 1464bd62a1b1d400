package io.baton.node.mirror;

import io.baton.node.config.MirrorDiskResourceConfig;
import java.nio.file.Path;

/**
 * Where one node keeps one mirror disk: the configured data, metadata and mount paths with
 * {@code ${node}} resolved, and the directory of the FUSE file, under the node's data directory
 * (it is the node's own working state, never configured).
 */
public record MirrorPaths(Path data, Path metadata, Path mount, Path fuseDir) {

    public static MirrorPaths of(MirrorDiskResourceConfig config, String group, String nodeId, Path nodeDataDir) {
        return new MirrorPaths(
                Path.of(MirrorDiskResourceConfig.forNode(config.data(), nodeId)),
                Path.of(MirrorDiskResourceConfig.forNode(config.metadata(), nodeId)),
                Path.of(MirrorDiskResourceConfig.forNode(config.mount(), nodeId)),
                nodeDataDir.resolve("mirror").resolve(group + "." + config.name()));
    }
}
