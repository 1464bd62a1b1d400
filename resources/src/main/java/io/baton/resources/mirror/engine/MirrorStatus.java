package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;

/**
 * What a {@link MirrorPrimary} reports about its peer, at one instant.
 *
 * @param peerNode         the peer's node id
 * @param connected        a handshaken connection to the peer is up
 * @param inSync           writes wait for the peer (protocol C) and it is not tracked in the bitmap
 * @param committed        the peer's replica state in committed (Raft) state
 * @param syncing          a resync into the peer is under way
 * @param progressPercent  of the current or last resync pass, 100 when none
 * @param bytesBehind      dirty bytes: what the peer may lack
 * @param resyncBytesSent  RS_DATA bytes sent since this primary started
 * @param fenced           this primary was fenced; every write fails
 * @param lastError        the last problem with the peer, or null
 * @param activityRecords  activity log records written since this primary started (each one
 *                         metadata write and fdatasync, paid when writes enter a new extent)
 */
public record MirrorStatus(
        String peerNode,
        boolean connected,
        boolean inSync,
        ReplicaState committed,
        boolean syncing,
        int progressPercent,
        long bytesBehind,
        long resyncBytesSent,
        boolean fenced,
        String lastError,
        long activityRecords) {}
