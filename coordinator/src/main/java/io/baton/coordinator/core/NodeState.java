package io.baton.coordinator.core;

/** What the replicated state knows of a node: liveness as judged by the leader, last heartbeat, standby. */
public final class NodeState {
    final String id;
    /** False until the node's first committed heartbeat; the leader's controller clears it on silence. */
    boolean alive;
    long lastHeartbeatWallMs;
    /** Of the last heartbeat accepted (both 0 after an Incarnate, until the new process's first heartbeat). */
    long incarnation;
    long seq;
    /**
     * The incarnation last assigned by an Incarnate (a counter: 1, 2, ...), 0 if the node never asked
     * for one: then the legacy rule applies (a heartbeat with a greater incarnation is a new process).
     */
    long assignedIncarnation;
    /** The boot id of the process {@link #assignedIncarnation} was assigned to (a retry gets the same). */
    long boot;
    /** Set by an operator: eligible for no group (the groups it owned were moved away first). */
    boolean standby;
    /** Its own replica's lag, from its heartbeats ({@link ReplicaLag}). */
    ReplicaLag.State lag = ReplicaLag.State.NONE;
    /** When its TLS node certificate and the CA that issued it expire (ms since the epoch; 0: no TLS), from its heartbeats. */
    long certificateNotAfterMs;
    long caNotAfterMs;
    /** SHA-256 (hex) of the cluster file it loaded, from its heartbeats; "" if never reported. */
    String configHash = "";
    /** The highest protocol version its build speaks, from its heartbeats; 0 if never said. */
    int protocolSupported;
    /** The applied configuration version it runs by, from its last heartbeat accepted (0: the file's). */
    long configVersion;

    NodeState(String id) {
        this.id = id;
    }

    NodeState copy() {
        NodeState c = new NodeState(id);
        c.alive = alive;
        c.lastHeartbeatWallMs = lastHeartbeatWallMs;
        c.incarnation = incarnation;
        c.seq = seq;
        c.assignedIncarnation = assignedIncarnation;
        c.boot = boot;
        c.standby = standby;
        c.lag = lag;
        c.certificateNotAfterMs = certificateNotAfterMs;
        c.caNotAfterMs = caNotAfterMs;
        c.configHash = configHash;
        c.protocolSupported = protocolSupported;
        c.configVersion = configVersion;
        return c;
    }

    public String id() {
        return id;
    }

    /** When its TLS node certificate expires, ms since the epoch, as its last heartbeat said; 0: unknown or no TLS. */
    public long certificateNotAfterMs() {
        return certificateNotAfterMs;
    }

    /** The highest protocol version its build speaks, as its last heartbeat said; 0 if never said. */
    public int protocolSupported() {
        return protocolSupported;
    }

    /** SHA-256 (hex) of the cluster file it loaded, as its last heartbeat said; "" if unknown. */
    /** The applied configuration version it runs by (0: its cluster file's). */
    public long configVersion() {
        return configVersion;
    }

    public String configHash() {
        return configHash;
    }

    /** When the CA certificate that issued its node certificate expires; 0: unknown or no TLS. */
    public long caNotAfterMs() {
        return caNotAfterMs;
    }

    public boolean alive() {
        return alive;
    }

    /** In standby: the controller picks it for no group, and moves and starts there are refused. */
    public boolean standby() {
        return standby;
    }

    /** The incarnation last assigned to a process of this node; 0 if none ever asked for one. */
    public long assignedIncarnation() {
        return assignedIncarnation;
    }

    /** Its own replica is behind the log (it may not see a grant): the controller picks it for no group. */
    public boolean replicaBehind() {
        return lag.behind();
    }

    /** Entries its replica was behind in its last heartbeat that reported it. */
    public long replicaLag() {
        return lag.lag();
    }

    /** The incarnation and sequence number of its last heartbeat through the log. */
    public long incarnation() {
        return incarnation;
    }

    public long seq() {
        return seq;
    }

    public long lastHeartbeatWallMs() {
        return lastHeartbeatWallMs;
    }
}
