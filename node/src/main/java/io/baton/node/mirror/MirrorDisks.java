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
import java.util.LinkedHashMap;
import java.util.Map;
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

    private final ReplicaServer server;
    private final Map<String, MirrorVolume> volumes;
    private final String self;
    private final Ports ports;

    private MirrorDisks(ReplicaServer server, Map<String, MirrorVolume> volumes, String self, Ports ports) {
        this.server = server;
        this.volumes = volumes;
        this.self = self;
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

    /** @param tls mutual TLS on every mirror link, both ways; null: plain TCP */
    public static MirrorDisks open(ClusterConfig config, NodeConfig self, Path dataDir, Ports ports, MirrorTls tls)
            throws IOException {
        Map<String, MirrorVolume> volumes = new LinkedHashMap<>();
        ReplicaServer server = null;
        try {
            for (GroupConfig group : config.groups()) {
                if (!group.nodes().contains(self.id())) {
                    continue;
                }
                for (var rc : group.resources()) {
                    if (!(rc instanceof MirrorDiskResourceConfig disk)) {
                        continue;
                    }
                    if (server == null) {
                        server = new ReplicaServer(self.id(),
                                new InetSocketAddress(self.mirror().host(), self.mirror().port()), tls);
                        try {
                            server.start();
                        } catch (IOException e) {
                            throw new IOException("cannot listen on mirror address " + self.mirror() + ": "
                                    + e.getMessage(), e);
                        }
                    }
                    String peerId = group.nodes().stream().filter(n -> !n.equals(self.id())).findFirst().orElseThrow();
                    NodeConfig peer = config.node(peerId).orElseThrow();
                    String resourceId = config.name() + "/" + group.name() + "/" + disk.name();
                    try {
                        volumes.put(group.name(), MirrorVolume.open(resourceId, self.id(), peerId,
                                new InetSocketAddress(peer.mirror().host(), peer.mirror().port()), disk.sizeBytes(),
                                MirrorPaths.of(disk, group.name(), self.id(), dataDir), settings(disk).withTls(tls), server));
                    } catch (IOException | RuntimeException e) {
                        throw new IOException("mirror_disk '" + disk.name() + "' of group '" + group.name() + "': "
                                + e.getMessage(), e);
                    }
                    log.info("mirror {}: standby replica open, receiving on {}", resourceId, self.mirror());
                }
            }
        } catch (IOException | RuntimeException e) {
            volumes.values().forEach(MirrorVolume::close);
            if (server != null) {
                server.close();
            }
            throw e;
        }
        return new MirrorDisks(server, volumes, self.id(), ports);
    }

    private static MirrorSettings settings(MirrorDiskResourceConfig disk) {
        MirrorSettings defaults = MirrorSettings.defaults();
        long rate = disk.resyncRateBytesPerSecond() > 0 ? disk.resyncRateBytesPerSecond()
                : RateLimiter.MAX_RATE_BYTES_PER_SECOND;
        return defaults.withResyncRate(rate, defaults.resyncChunkBytes(), defaults.resyncFlushEveryBytes());
    }

    /** The resource driver of {@code group}'s mirror disk on this node. */
    public Resource resource(GroupConfig group, MirrorDiskResourceConfig disk) {
        MirrorVolume volume = volumes.get(group.name());
        if (volume == null) {
            throw new IllegalStateException("no mirror replica open for group " + group.name());
        }
        return new MirrorDiskResource(disk.name(), self, disk.fstype(), volume,
                epoch -> ports.forGrant(group.name(), epoch));
    }

    @Override
    public void close() {
        volumes.values().forEach(MirrorVolume::close);
        if (server != null) {
            server.close();
        }
    }
}
