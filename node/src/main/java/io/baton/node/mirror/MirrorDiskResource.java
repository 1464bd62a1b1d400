package io.baton.node.mirror;

import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.proto.MirrorPeerReport;
import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;
import io.baton.resources.mirror.datapath.DataArea;
import io.baton.resources.mirror.engine.ReplicaStatePort;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.datapath.DataPath;
import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorStatus;
import java.io.IOException;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The {@code mirror_disk} resource: on the owner, the replicated disk served through FUSE, a loop
 * device and a mounted filesystem; elsewhere a standby replica (see {@link MirrorVolume}).
 *
 * <p>Start refuses unless this node's replica is UpToDate in committed state (S3): the coordinator
 * grants only such replicas, and this check keeps a stale grant from activating old data.
 */
public final class MirrorDiskResource implements Resource {
    public static final String TYPE = MirrorDiskResourceConfig.TYPE;

    private final String name;
    private final String self;
    private final String fstype;
    /** This node's replica, once it is a member of the group (a node added later opens one when it becomes one). */
    private final java.util.function.Supplier<MirrorVolume> volumes;
    /**
     * The replica after bringing it in line with the membership this node has applied: a node whose
     * cluster file predates a replace must not start a primary for the old peer, nor miss its replica.
     */
    private final java.util.function.Supplier<MirrorVolume> volumeForStart;
    /** The port through which the primary of a grant epoch records its peer's state. */
    private final LongFunction<ReplicaStatePort> ports;
    private final DataPath dataPath = new DataPath();

    MirrorDiskResource(String name, String self, String fstype, java.util.function.Supplier<MirrorVolume> volumes,
                       java.util.function.Supplier<MirrorVolume> volumeForStart, LongFunction<ReplicaStatePort> ports) {
        this.name = name;
        this.self = self;
        this.fstype = fstype;
        this.volumes = volumes;
        this.volumeForStart = volumeForStart;
        this.ports = ports;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void start(ResourceContext context) throws ResourceException {
        MirrorVolume volume = volumeForStart.get();
        if (volume == null) {
            throw new ResourceException("mirror disk " + name + ": this node has no replica of it (it is not a member of"
                    + " the group in the membership this node has applied)");
        }
        if (volume.isPrimary() && dataPath.isMounted()) {
            return;
        }
        ReplicaStatePort port = ports.apply(context.epoch());
        ReplicaState mine = port.committed(self);
        if (mine != ReplicaState.UP_TO_DATE) {
            throw new ResourceException("this node's replica is " + mine + " in committed state: it cannot be"
                    + " brought online (only an UpToDate replica can; see batonctl mirror status)");
        }
        boolean isNew = volume.isNew();
        MirrorPaths paths = volume.paths();
        try {
            MirrorPrimary primary = volume.becomePrimary(context.epoch(), port);
            dataPath.start(primary, paths.fuseDir(), paths.mount(), fstype, isNew);
        } catch (IOException | RuntimeException e) {
            // The data path tears itself down on a failed start; the primary goes back to standby.
            volume.fence();
            try {
                volume.becomeStandby();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new ResourceException("mirror disk " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void stop(ResourceContext context) throws ResourceException {
        IOException failure = null;
        try {
            dataPath.stop();
        } catch (IOException e) {
            failure = e;
        }
        if (failure != null && dataPath.isMounted()) {
            // Still mounted: keep serving the file rather than pulling the disk from under the filesystem.
            throw new ResourceException("mirror disk " + name + ": " + failure.getMessage(), failure);
        }
        MirrorVolume volume = volumes.get();
        if (volume == null) {
            if (failure != null) {
                throw new ResourceException("mirror disk " + name + ": " + failure.getMessage(), failure);
            }
            return;
        }
        try {
            volume.becomeStandby();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw new ResourceException("mirror disk " + name + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public void fence() {
        dataPath.fence();
        MirrorVolume volume = volumes.get();
        if (volume != null) {
            volume.fence();
        }
    }

    /** A planned stop unmounts cleanly (the application's last writes replicate); fencing would fail them. */
    @Override
    public void quiesce() {}

    @Override
    public ResourceState observe() {
        MirrorVolume volume = volumes.get();
        if (volume == null) {
            return dataPath.isMounted() ? ResourceState.failed("mounted without a replica")
                    : ResourceState.inactive("no replica here: not a member of the group");
        }
        MirrorStatus status = volume.status();
        if (status == null) {
            return dataPath.isMounted()
                    ? ResourceState.failed("mounted at " + volume.paths().mount() + " without a primary")
                    : ResourceState.inactive("standby replica of " + DataArea.humanSize(volume.sizeBytes()));
        }
        String peerText = describe(status);
        if (!dataPath.isMounted()) {
            return ResourceState.inactive("not mounted; " + peerText);
        }
        return ResourceState.active("mounted at " + volume.paths().mount() + "; " + peerText);
    }

    /** The owner's view of its peer, for status; empty on a standby. */
    public List<MirrorPeerReport> peerReports() {
        MirrorVolume volume = volumes.get();
        MirrorStatus s = volume == null ? null : volume.status();
        if (s == null) {
            return List.of();
        }
        return List.of(MirrorPeerReport.newBuilder()
                .setPeer(s.peerNode())
                .setConnected(s.connected())
                .setInSync(s.inSync())
                .setSyncing(s.syncing())
                .setProgressPercent(s.progressPercent())
                .setBytesBehind(s.bytesBehind())
                .setResyncBytesSent(s.resyncBytesSent())
                .setDetail(s.lastError() == null ? "" : s.lastError())
                .build());
    }

    private static String describe(MirrorStatus s) {
        if (s.inSync()) {
            return "peer " + s.peerNode() + " in sync";
        }
        if (s.syncing()) {
            return "peer " + s.peerNode() + " syncing " + s.progressPercent() + "% ("
                    + DataArea.humanSize(s.bytesBehind()) + " behind)";
        }
        return "peer " + s.peerNode() + (s.connected() ? " connected" : " disconnected") + ", "
                + DataArea.humanSize(s.bytesBehind()) + " behind"
                + (s.lastError() == null || s.lastError().isEmpty() ? "" : ": " + s.lastError());
    }

    @Override
    public void close() {
        MirrorVolume volume = volumes.get();
        if (volume != null) {
            volume.close();
        }
    }
}
