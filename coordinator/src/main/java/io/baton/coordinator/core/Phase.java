package io.baton.coordinator.core;

import io.baton.proto.PhaseProto;

/** Where a failover group is in its life, as committed in the replicated state. */
public enum Phase {
    /** Nobody owns the group: stopped by an operator, never started, or no eligible node. */
    OFFLINE(PhaseProto.PHASE_OFFLINE),
    /** Granted to an owner, which is activating its resources in order. */
    STARTING(PhaseProto.PHASE_STARTING),
    /** The owner reported every resource active. */
    ONLINE(PhaseProto.PHASE_ONLINE),
    /** The owner must deactivate (a move or a stop); nobody else is granted until it reports released. */
    RELEASING(PhaseProto.PHASE_RELEASING),
    /**
     * Activation or a monitor failed on the last owner: the controller starts the group on the next eligible
     * node, unless none is left or the group is held; an operator's start or clear ends it.
     */
    FAILED(PhaseProto.PHASE_FAILED);

    private final PhaseProto proto;

    Phase(PhaseProto proto) {
        this.proto = proto;
    }

    public PhaseProto toProto() {
        return proto;
    }

    public static Phase fromProto(PhaseProto proto) {
        for (Phase p : values()) {
            if (p.proto == proto) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown phase " + proto);
    }

    /** Whether the owner may keep or bring its resources up in this phase. */
    public boolean allowsActivity() {
        return this == STARTING || this == ONLINE;
    }
}
