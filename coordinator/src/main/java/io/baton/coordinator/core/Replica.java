package io.baton.coordinator.core;

import io.baton.proto.ReplicaStateProto;

/**
 * The committed state of one node's replica of a mirrored group's disk. Only an UP_TO_DATE replica
 * may be granted (PROTOCOL.md, S3); the owner records its peers' states before it acknowledges a
 * write they lack (S2).
 */
public enum Replica {
    /** Has every acknowledged write. */
    UP_TO_DATE(ReplicaStateProto.REPLICA_UP_TO_DATE, "UpToDate"),
    /** Consistent but old: misses writes acknowledged after it fell behind. Only force-activate may grant it. */
    OUTDATED(ReplicaStateProto.REPLICA_OUTDATED, "Outdated"),
    /** A resync has not completed: half-old, half-new blocks. Never granted until resynced. */
    INCONSISTENT(ReplicaStateProto.REPLICA_INCONSISTENT, "Inconsistent");

    private final ReplicaStateProto proto;
    private final String display;

    Replica(ReplicaStateProto proto, String display) {
        this.proto = proto;
        this.display = display;
    }

    public ReplicaStateProto toProto() {
        return proto;
    }

    /** The spelling operators see (status, messages, events). */
    public String display() {
        return display;
    }

    /** The state {@code proto} names, or null for REPLICA_UNKNOWN and values this version does not know. */
    public static Replica fromProto(ReplicaStateProto proto) {
        for (Replica r : values()) {
            if (r.proto == proto) {
                return r;
            }
        }
        return null;
    }
}
