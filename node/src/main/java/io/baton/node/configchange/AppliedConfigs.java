package io.baton.node.configchange;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigLoader;
import io.baton.proto.AppliedConfigProto;
import java.util.Optional;

/**
 * The configuration a node runs by: its cluster file, with the groups of the configuration an operator
 * applied ({@code batonctl config apply}) once there is one. The applied text is parsed once per
 * version (it is checked when applied, so a failure here means a build that reads it otherwise).
 */
public final class AppliedConfigs {
    private final ClusterConfig file;
    private AppliedConfigProto parsedFrom;
    private ClusterConfig parsed;

    public AppliedConfigs(ClusterConfig file) {
        this.file = file;
    }

    /** The cluster file this node loaded at start. */
    public ClusterConfig file() {
        return file;
    }

    /**
     * What the node runs by under {@code applied}: the file itself when nothing was applied.
     *
     * @throws ConfigException if the applied text does not load here
     */
    public synchronized ClusterConfig running(Optional<AppliedConfigProto> applied) throws ConfigException {
        if (applied.isEmpty()) {
            return file;
        }
        AppliedConfigProto a = applied.get();
        if (parsedFrom == null || parsedFrom.getVersion() != a.getVersion() || !parsedFrom.getSha256().equals(a.getSha256())) {
            parsed = file.withGroupsOf(ConfigLoader.parse(a.getText(), "applied configuration version " + a.getVersion()));
            parsedFrom = a;
        }
        return parsed;
    }

    /** {@link #running}, or the file's groups (logged by the caller's follower) if the applied text does not load. */
    public ClusterConfig runningOrFile(Optional<AppliedConfigProto> applied) {
        try {
            return running(applied);
        } catch (ConfigException e) {
            return file;
        }
    }
}
