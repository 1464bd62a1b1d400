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
    /** Its own replica's lag, from its heartbeats ({@link ReplicaLag}). */
    ReplicaLag.State lag = ReplicaLag.State.NONE;

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
        c.lag = lag;
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

    /** Its own replica is behind the log (it may not see a grant): the controller picks it for no group. */
    public boolean replicaBehind() {
        return lag.behind();
    }

    /** Entries its replica was behind in its last heartbeat that reported it. */
    public long replicaLag() {
        return lag.lag();
    }

    public long lastHeartbeatWallMs() {
        return lastHeartbeatWallMs;
    }
}
