package io.baton.node.mirror;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.MirrorDiskResourceConfig;
import io.baton.node.config.NodeConfig;
import io.baton.resources.Resource;
import io.baton.resources.mirror.engine.RateLimiter;
import io.baton.resources.mirror.engine.ReplicaStatePort;
import io.baton.resources.mirror.engine.MirrorSettings;
import io.baton.resources.mirror.engine.MirrorTls;
import io.baton.resources.mirror.engine.ReplicaServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import io.baton.node.config.HostPort;
import io.baton.node.membership.GroupMembership;
import io.baton.node.membership.Members;
import io.baton.proto.MembershipProto;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's mirror replicas: the replica server on the node's {@code mirror} address and one
 * {@link MirrorVolume} per mirrored group it is a member of, open from daemon start to exit so
 * that a standby receives whether or not the group is active anywhere.
 */
public final class MirrorDisks implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(MirrorDisks.class);

    /** The primary of {@code group} at grant {@code epoch} records its peer's state through this. */
    @FunctionalInterface
    public interface Ports {
        ReplicaStatePort forGrant(String group, long epoch);
    }

    private final ClusterConfig config;
    private final NodeConfig selfConfig;
    private final Path dataDir;
    private final MirrorTls tls;
    private final ReplicaServer server;
    private final Map<String, MirrorVolume> volumes = new ConcurrentHashMap<>();
    private final String self;
    private final Ports ports;
    /** The membership this node's replica has applied, if an operator set one; until told, none. */
    private volatile java.util.function.Supplier<Optional<MembershipProto>> replicated = Optional::empty;

    private MirrorDisks(ClusterConfig config, NodeConfig self, Path dataDir, MirrorTls tls, ReplicaServer server,
                        Ports ports) {
        this.config = config;
        this.selfConfig = self;
        this.dataDir = dataDir;
        this.tls = tls;
        this.server = server;
        this.self = self.id();
        this.ports = ports;
    }

    /**
     * Opens the replicas of {@code self}'s mirrored groups and starts receiving.
     *
     * @throws IOException naming the group, resource and problem (no mirror address bound, data or
     *                     metadata area refused); nothing stays open
     */
    public static MirrorDisks open(ClusterConfig config, NodeConfig self, Path dataDir, Ports ports) throws IOException {
        return open(config, self, dataDir, ports, null);
    }

    /**
     * As above. The replica server listens whenever this node has a mirror address and the cluster a
     * mirrored group, so that a node added later (batonctl node add) receives once it becomes a member.
     *
     * @param tls mutual TLS on every mirror link, both ways; null: plain TCP
     */
    public static MirrorDisks open(ClusterConfig config, NodeConfig self, Path dataDir, Ports ports, MirrorTls tls)
            throws IOException {
        boolean mirrored = config.groups().stream().anyMatch(GroupConfig::hasMirrorDisk);
        ReplicaServer server = null;
        if (mirrored && self.mirror() != null) {
            server = new ReplicaServer(self.id(), new InetSocketAddress(self.mirror().host(), self.mirror().port()), tls);
            try {
                server.start();
            } catch (IOException e) {
                throw new IOException("cannot listen on mirror address " + self.mirror() + ": " + e.getMessage(), e);
            }
        }
        MirrorDisks disks = new MirrorDisks(config, self, dataDir, tls, server, ports);
        try {
            disks.follow(Members.bootstrap(config));
        } catch (IOException | RuntimeException e) {
            disks.close();
            throw e;
        }
        return disks;
    }

    /**
     * Opens a replica for each mirrored group {@code self} is a member of in {@code membership}, and
     * points each at the group's other member: a node added to a group starts receiving, and the
     * owner of a group whose other member was replaced reconnects to the new one (which gets the
     * whole disk). A replica of a group this node has left stays open, idle: it is never granted.
     *
     * @throws IOException naming the group and resource when a replica cannot be opened
     */
    public synchronized void follow(MembershipProto membership) throws IOException {
        GroupMembership byGroup = GroupMembership.of(membership);
        for (GroupConfig group : config.groups()) {
            List<String> members = byGroup.members(group);
            if (!members.contains(self)) {
                continue;
            }
            for (var rc : group.resources()) {
                if (!(rc instanceof MirrorDiskResourceConfig disk)) {
                    continue;
                }
                Optional<String> peerId = members.stream().filter(n -> !n.equals(self)).findFirst();
                if (peerId.isEmpty()) {
                    continue;
                }
                InetSocketAddress peer = peerAddress(membership, peerId.get()).orElseThrow(() -> new IOException(
                        "mirror_disk '" + disk.name() + "' of group '" + group.name() + "': its member " + peerId.get()
                                + " has no mirror address"));
                MirrorVolume open = volumes.get(group.name());
                if (open != null) {
                    if (!open.peer().equals(peerId.get()) || !open.peerAddress().equals(peer)) {
                        log.info("mirror of group {}: the peer is now {} at {} (was {})", group.name(), peerId.get(), peer,
                                open.peer());
                        open.retarget(peerId.get(), peer);
                    }
                    continue;
                }
                if (server == null) {
                    throw new IOException("mirror_disk '" + disk.name() + "' of group '" + group.name() + "': node " + self
                            + " has no mirror address to receive on");
                }
                String resourceId = config.name() + "/" + group.name() + "/" + disk.name();
                try {
                    volumes.put(group.name(), MirrorVolume.open(resourceId, self, peerId.get(), peer, disk.sizeBytes(),
                            MirrorPaths.of(disk, group.name(), self, dataDir), settings(disk).withTls(tls), server));
                } catch (IOException | RuntimeException e) {
                    throw new IOException("mirror_disk '" + disk.name() + "' of group '" + group.name() + "': "
                            + e.getMessage(), e);
                }
                log.info("mirror {}: standby replica open, receiving on {}", resourceId, selfConfig.mirror());
            }
        }
    }

    /** Where to read the membership this node's replica has applied (see {@link #resource}). */
    public void membershipFrom(java.util.function.Supplier<Optional<MembershipProto>> replicated) {
        this.replicated = replicated;
    }

    /** {@code group}'s replica after following the applied membership, if it has one. */
    private MirrorVolume followedVolume(String group) {
        Optional<MembershipProto> m = replicated.get();
        if (m.isPresent()) {
            try {
                follow(m.get());
            } catch (IOException | RuntimeException e) {
                log.warn("mirror of group {}: cannot follow membership version {}: {}", group, m.get().getVersion(),
                        e.getMessage());
            }
        }
        return volumes.get(group);
    }

    /** {@code node}'s mirror address: the membership's, else the cluster file's. */
    private Optional<InetSocketAddress> peerAddress(MembershipProto membership, String node) {
        Optional<HostPort> address = Members.mirror(membership, node);
        if (address.isEmpty()) {
            address = config.node(node).map(NodeConfig::mirror);
        }
        return address.map(a -> new InetSocketAddress(a.host(), a.port()));
    }

    private static MirrorSettings settings(MirrorDiskResourceConfig disk) {
        MirrorSettings defaults = MirrorSettings.defaults();
        long rate = disk.resyncRateBytesPerSecond() > 0 ? disk.resyncRateBytesPerSecond()
                : RateLimiter.MAX_RATE_BYTES_PER_SECOND;
        return defaults.withResyncRate(rate, defaults.resyncChunkBytes(), defaults.resyncFlushEveryBytes());
    }

    /** The resource driver of {@code group}'s mirror disk on this node (its replica may open later: {@link #follow}). */
    public Resource resource(GroupConfig group, MirrorDiskResourceConfig disk) {
        return new MirrorDiskResource(disk.name(), self, disk.fstype(), () -> volumes.get(group.name()),
                () -> followedVolume(group.name()), epoch -> ports.forGrant(group.name(), epoch));
    }

    @Override
    public void close() {
        volumes.values().forEach(MirrorVolume::close);
        if (server != null) {
            server.close();
        }
    }
}
