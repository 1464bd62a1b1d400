package io.baton.coordinator.core;

/** What the replicated state knows of a node: liveness as judged by the leader, last heartbeat, standby. */
public final class NodeState {
    final String id;
    /** False until the node's first committed heartbeat; the leader's controller clears it on silence. */
    boolean alive;
    long lastHeartbeatWallMs;
    long incarnation;
    long seq;
    /** Set by an operator: eligible for no group (the groups it owned were moved away first). */
    boolean standby;

    NodeState(String id) {
        this.id = id;
    }

    NodeState copy() {
        NodeState c = new NodeState(id);
        c.alive = alive;
        c.lastHeartbeatWallMs = lastHeartbeatWallMs;
        c.incarnation = incarnation;
        c.seq = seq;
        c.standby = standby;
        return c;
    }

    public String id() {
        return id;
    }

    public boolean alive() {
        return alive;
    }

    /** In standby: the controller picks it for no group, and moves and starts there are refused. */
    public boolean standby() {
        return standby;
    }

    public long lastHeartbeatWallMs() {
        return lastHeartbeatWallMs;
    }
}
