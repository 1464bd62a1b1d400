package io.baton.it.bench;

import io.baton.resources.mirror.datapath.DataArea;
import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.engine.ReplicaStatePort;
import io.baton.resources.mirror.meta.Superblock;
import io.baton.resources.mirror.datapath.WriteBehind;
import io.baton.resources.mirror.engine.ReplicaServer;
import io.baton.resources.mirror.engine.ReplicaTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node's replica of a benchmark mirror: a sparse data image and a metadata area, opened; and,
 * for the standby, a {@link ReplicaServer} on 127.0.0.1 serving it. The benchmarks' own copy of
 * what the engine's tests use (those classes are test-scoped in another module).
 */
final class BenchReplica implements AutoCloseable {

    static final String RESOURCE = "bench/disk";

    final Path image;
    final FileChannel data;
    final MetadataArea area;
    final WriteBehind writeBehind;
    private ReplicaServer server;
    private ReplicaTarget target;

    /**
     * A new replica of {@code sizeBytes} zeros for {@code node}, labelled {@code generation}
     * (0: never held data, so a primary must send it everything).
     */
    BenchReplica(Path dir, String node, long sizeBytes, long generation) throws IOException {
        image = dir.resolve(node + ".img");
        DataArea.createImage(image, sizeBytes);
        data = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        writeBehind = WriteBehind.open(image);
        area = MetadataArea.create(dir.resolve(node + ".meta"),
                Superblock.initial(RESOURCE, node, sizeBytes, generation));
    }

    /** Serves this replica as a standby on 127.0.0.1:{@code port} (0: any); returns the address. */
    InetSocketAddress serve(String node, int port) throws IOException {
        return serve(node, port, null);
    }

    /** The same, with the mirror link's mutual TLS ({@code tls} null: plaintext). */
    InetSocketAddress serve(String node, int port, io.baton.resources.mirror.engine.MirrorTls tls) throws IOException {
        target = new ReplicaTarget(data, writeBehind, area);
        server = new ReplicaServer(node, new InetSocketAddress("127.0.0.1", port), tls);
        server.register(target);
        return server.start();
    }

    /** Stops serving (the primary sees the link drop); the files stay open for a later {@link #serve}. */
    void stopServing() {
        if (server != null) {
            server.close();
            target.close();
            server = null;
            target = null;
        }
    }

    @Override
    public void close() throws IOException {
        stopServing();
        writeBehind.close();
        area.close();
        data.close();
    }

    /** Committed replica states in a map, committed at once: a coordinator that always has quorum. */
    static final class MapStatePort implements ReplicaStatePort {
        final Map<String, ReplicaState> states = new ConcurrentHashMap<>();

        MapStatePort(String node, ReplicaState initial) {
            states.put(node, initial);
        }

        @Override
        public ReplicaState committed(String node) {
            return states.getOrDefault(node, ReplicaState.INCONSISTENT);
        }

        @Override
        public CompletableFuture<Void> record(String node, ReplicaState state) {
            states.put(node, state);
            return CompletableFuture.completedFuture(null);
        }
    }
}
