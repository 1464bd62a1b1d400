package io.baton.node.mirror;

import io.baton.resources.mirror.datapath.DataArea;
import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.engine.ReplicaStatePort;
import io.baton.resources.mirror.meta.Superblock;
import io.baton.resources.mirror.datapath.WriteBehind;
import io.baton.resources.mirror.datapath.DataPath;
import io.baton.resources.mirror.datapath.Filesystems;
import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorSettings;
import io.baton.resources.mirror.engine.MirrorStatus;
import io.baton.resources.mirror.engine.ReplicaServer;
import io.baton.resources.mirror.engine.ReplicaTarget;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's replica of one mirror disk, open for the daemon's whole life: a standby that receives
 * the owner's writes (registered with the node's {@link ReplicaServer}), or, while this node owns
 * the group, the primary that replicates its own writes to the peer. Owns the data channel and
 * the metadata area; the engine objects only borrow them.
 */
final class MirrorVolume implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(MirrorVolume.class);

    private final String resourceId;
    private final String self;
    /** The peer replica; changed by {@link #retarget} when an operator replaces the peer node. */
    private volatile String peer;
    private volatile InetSocketAddress peerAddress;
    private final long sizeBytes;
    private final MirrorPaths paths;
    private final MirrorSettings settings;
    private final ReplicaServer server;
    private final FileChannel data;
    private final MetadataArea metadata;
    /** Opened with the data area, closed after every engine object that uses it. */
    private final WriteBehind writeBehind;
    private ReplicaTarget target;
    private MirrorPrimary primary;

    private MirrorVolume(String resourceId, String self, String peer, InetSocketAddress peerAddress, long sizeBytes,
                         MirrorPaths paths, MirrorSettings settings, ReplicaServer server, FileChannel data,
                         MetadataArea metadata) {
        this.resourceId = resourceId;
        this.self = self;
        this.peer = peer;
        this.peerAddress = peerAddress;
        this.sizeBytes = sizeBytes;
        this.paths = paths;
        this.settings = settings;
        this.server = server;
        this.data = data;
        this.metadata = metadata;
        this.writeBehind = WriteBehind.open(paths.data());
    }

    /**
     * Opens (creating on first use) the data and metadata areas, clears what a crashed daemon left
     * mounted, and starts receiving as a standby.
     *
     * @throws IOException with a message naming the path and the problem: a data area missing or too
     *                     small, metadata of another resource or size, a busy or missing directory
     */
    static MirrorVolume open(String resourceId, String self, String peer, InetSocketAddress peerAddress,
                             long sizeBytes, MirrorPaths paths, MirrorSettings settings, ReplicaServer server)
            throws IOException {
        DataPath.cleanupLeftovers(paths.fuseDir(), paths.mount(), paths.data());
        Files.createDirectories(paths.fuseDir());
        if (!Files.exists(paths.data())) {
            Files.createDirectories(paths.data().toAbsolutePath().getParent());
            DataArea.createImage(paths.data(), sizeBytes);
            log.info("mirror {}: created data image {} of {}", resourceId, paths.data(), DataArea.humanSize(sizeBytes));
        } else {
            DataArea.check(paths.data(), sizeBytes);
            refuseUnrelatedData(paths);
        }
        MetadataArea metadata = openMetadata(resourceId, self, sizeBytes, paths.metadata());
        FileChannel data = null;
        MirrorVolume volume = null;
        try {
            data = FileChannel.open(paths.data(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            volume = new MirrorVolume(resourceId, self, peer, peerAddress, sizeBytes, paths, settings,
                    server, data, metadata);
            volume.serveAsStandby();
            return volume;
        } catch (IOException | RuntimeException e) {
            if (volume != null) {
                volume.writeBehind.close();
            }
            if (data != null) {
                data.close();
            }
            metadata.close();
            throw e;
        }
    }

    /**
     * A data area that already holds something (a filesystem, a partition table) but has no mirror
     * metadata is not a replica of this disk: a first sync would overwrite it, or it would be mounted
     * as if it were the mirror's. Refused; the operator wipes it on purpose if it is meant to be used.
     */
    private static void refuseUnrelatedData(MirrorPaths paths) throws IOException {
        if (!Files.exists(paths.metadata()) && Filesystems.hasFilesystem(paths.data())) {
            throw new IOException("data area " + paths.data() + " already holds data (blkid finds a filesystem"
                    + " or partition table) but there is no metadata area at " + paths.metadata()
                    + ": refusing to make it a new replica, which a first sync would overwrite; if it is meant"
                    + " to be this mirror disk's data area, wipe it first (wipefs -a " + paths.data() + ")");
        }
    }

    private static MetadataArea openMetadata(String resourceId, String self, long sizeBytes, Path path)
            throws IOException {
        if (!Files.exists(path)) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            long generation = new SecureRandom().nextLong() | 1;
            return MetadataArea.create(path, Superblock.initial(resourceId, self, sizeBytes, generation));
        }
        MetadataArea area = MetadataArea.open(path);
        Superblock sb = area.current();
        String problem = null;
        if (!sb.resourceId().equals(resourceId)) {
            problem = "belongs to mirror resource '" + sb.resourceId() + "', not '" + resourceId
                    + "': refusing to use another resource's replica";
        } else if (sb.dataSizeBytes() != sizeBytes) {
            problem = "records a disk of " + DataArea.humanSize(sb.dataSizeBytes()) + " but the resource is "
                    + DataArea.humanSize(sizeBytes) + "; a mirror disk cannot change size";
        } else if (!sb.nodeId().equals(self)) {
            problem = "was written by node '" + sb.nodeId() + "', this is node '" + self + "'";
        }
        if (problem != null) {
            area.close();
            throw new IOException("metadata area " + path + " " + problem);
        }
        return area;
    }

    private void serveAsStandby() throws IOException {
        target = new ReplicaTarget(data, writeBehind, metadata);
        server.register(target);
    }

    /**
     * Whether this replica has never held data: no generation history and never primary. Only then
     * may an empty device be formatted (the coordinator granted it as a new disk).
     */
    boolean isNew() {
        Superblock sb = metadata.current();
        return sb.previousGenerationId() == 0 && !sb.has(Superblock.Flag.WAS_PRIMARY)
                && !sb.has(Superblock.Flag.PEER_TRACKED);
    }

    /** Stops receiving and becomes the primary for {@code epoch}. */
    synchronized MirrorPrimary becomePrimary(long epoch, ReplicaStatePort port) throws IOException {
        if (primary != null) {
            return primary;
        }
        if (target != null) {
            server.unregister(resourceId);
            target.close();
            target = null;
        }
        MirrorPrimary p = new MirrorPrimary(resourceId, self, peer, peerAddress, data, writeBehind, metadata, epoch,
                port, settings, System::nanoTime);
        try {
            p.start();
        } catch (IOException | RuntimeException e) {
            p.fence();
            closeQuietly(p);
            serveAsStandby();
            throw e;
        }
        primary = p;
        return p;
    }

    /** Stops replicating (after the data path is down) and receives again. */
    synchronized void becomeStandby() throws IOException {
        MirrorPrimary p = primary;
        primary = null;
        if (p != null) {
            try {
                p.close();
            } finally {
                if (target == null) {
                    serveAsStandby();
                }
            }
        } else if (target == null) {
            serveAsStandby();
        }
    }

    /** From any thread: every waiting and later write of the primary fails at once. */
    void fence() {
        MirrorPrimary p = primary;
        if (p != null) {
            p.fence();
        }
    }

    /** The primary's view of its peer, or null on a standby. */
    MirrorStatus status() {
        MirrorPrimary p = primary;
        return p == null ? null : p.status();
    }

    boolean isPrimary() {
        return primary != null;
    }

    String peer() {
        return peer;
    }

    InetSocketAddress peerAddress() {
        return peerAddress;
    }

    /** The peer is now {@code node} at {@code address}: a primary reconnects there and copies the whole disk. */
    synchronized void retarget(String node, InetSocketAddress address) throws IOException {
        peer = node;
        peerAddress = address;
        if (primary != null) {
            primary.retarget(node, address);
        }
    }

    MirrorPaths paths() {
        return paths;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public synchronized void close() {
        if (primary != null) {
            primary.fence();
            closeQuietly(primary);
            primary = null;
        }
        if (target != null) {
            server.unregister(resourceId);
            target.close();
            target = null;
        }
        writeBehind.close();
        try {
            data.close();
        } catch (IOException e) {
            log.warn("mirror {}: closing {}: {}", resourceId, paths.data(), e.getMessage());
        }
        try {
            metadata.close();
        } catch (IOException e) {
            log.warn("mirror {}: closing {}: {}", resourceId, paths.metadata(), e.getMessage());
        }
    }

    private void closeQuietly(MirrorPrimary p) {
        try {
            p.close();
        } catch (IOException | RuntimeException e) {
            log.warn("mirror {}: closing the primary: {}", resourceId, e.getMessage());
        }
    }
}
