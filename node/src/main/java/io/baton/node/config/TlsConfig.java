package io.baton.node.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The cluster's {@code tls} block: where each node finds the CA bundle, its certificate and its key.
 * The paths may hold {@code ${node}}, replaced by the node's id, so that one cluster file serves every
 * node; a relative path is relative to the cluster file's directory.
 */
public record TlsConfig(String ca, String cert, String key) {
    /** The one variable a path may hold. */
    public static final String NODE_VARIABLE = "${node}";

    public TlsConfig {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /** The files of node {@code nodeId}; {@code base} is the cluster file's directory (null: as written). */
    public Files forNode(String nodeId, Path base) {
        return new Files(resolve(ca, nodeId, base), resolve(cert, nodeId, base), resolve(key, nodeId, base));
    }

    private static Path resolve(String template, String nodeId, Path base) {
        Path path = Path.of(template.replace(NODE_VARIABLE, nodeId));
        return base == null || path.isAbsolute() ? path : base.resolve(path);
    }

    /** One node's TLS files. */
    public record Files(Path ca, Path cert, Path key) {
    }
}
