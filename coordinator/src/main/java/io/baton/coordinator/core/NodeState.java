package io.baton.coordinator.core;

/** What the replicated state knows of a node: liveness as judged by the leader, last heartbeat. */
public final class NodeState {
    final String id;
    /** False until the node's first committed heartbeat; the leader's controller clears it on silence. */
    boolean alive;
    long lastHeartbeatWallMs;
    long incarnation;
    long seq;

    NodeState(String id) {
        this.id = id;
    }

    NodeState copy() {
        NodeState c = new NodeState(id);
        c.alive = alive;
        c.lastHeartbeatWallMs = lastHeartbeatWallMs;
        c.incarnation = incarnation;
        c.seq = seq;
        return c;
    }

    public String id() {
        return id;
    }

    public boolean alive() {
        return alive;
    }

    public long lastHeartbeatWallMs() {
        return lastHeartbeatWallMs;
    }
}
