package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.meta.Superblock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One node's files for a mirror resource in a test: a data file and a metadata area. */
final class Replica implements AutoCloseable {

    final Path dataPath;
    final Path metaPath;
    FileChannel data;
    MetadataArea area;

    private Replica(Path dataPath, Path metaPath) {
        this.dataPath = dataPath;
        this.metaPath = metaPath;
    }

    /** A formatted replica of {@code size} zero bytes with {@code generation} (0: never held data). */
    static Replica create(Path dir, String resource, String node, long size, long generation) throws IOException {
        Files.createDirectories(dir);
        Path d = dir.resolve(node + ".img");
        Path m = dir.resolve(node + ".meta");
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
        }
        MetadataArea.create(m, Superblock.initial(resource, node, size, generation)).close();
        Replica r = new Replica(d, m);
        r.open();
        return r;
    }

    void open() throws IOException {
        data = FileChannel.open(dataPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        area = MetadataArea.open(metaPath);
    }

    byte[] bytes() throws IOException {
        return Files.readAllBytes(dataPath);
    }

    @Override
    public void close() throws IOException {
        if (area != null) {
            area.close();
            area = null;
        }
        if (data != null) {
            data.close();
            data = null;
        }
    }

    /** A standby serving this replica on loopback, on {@code port} (0: any). */
    final class Standby implements AutoCloseable {
        final ReplicaServer server;
        final ReplicaTarget target;

        Standby(String node, int port) throws IOException {
            target = new ReplicaTarget(data, area);
            server = new ReplicaServer(node, new InetSocketAddress("127.0.0.1", port));
            server.register(target);
            server.start();
        }

        InetSocketAddress address() {
            return server.localAddress();
        }

        @Override
        public void close() {
            server.close();
            target.close();
        }
    }
}
