package io.baton.node.agent;

import io.baton.node.config.GroupConfig;

/**
 * Which groups have a mirror disk, by the resource's type in the cluster file (not its class, so
 * nothing here depends on the mirror resource's configuration record).
 */
public final class MirrorDisks {
    /** The cluster file's {@code type} of a mirror disk resource. */
    public static final String TYPE = "mirror_disk";

    private MirrorDisks() {}

    public static boolean mirrored(GroupConfig group) {
        return group.resources().stream().anyMatch(r -> TYPE.equals(r.type()));
    }
}
