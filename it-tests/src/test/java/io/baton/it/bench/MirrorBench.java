package io.baton.it.bench;

import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.datapath.DataPath;
import io.baton.resources.mirror.datapath.FuseMount;
import io.baton.resources.mirror.engine.MirrorPrimary;
import io.baton.resources.mirror.engine.MirrorSettings;
import io.baton.resources.mirror.engine.MirrorStatus;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.Issued;
import io.baton.node.security.NodeTls;
import io.baton.resources.mirror.engine.MirrorTls;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 3's mirror disk benchmark, as root, side by side in one run:
 * <ol>
 *   <li>data path: ext4 on a plain loop-mounted image, on the FUSE file over a plain image (the
 *       reference), and on the FUSE file over a two-replica {@link MirrorPrimary} whose standby is
 *       a {@code ReplicaServer} on 127.0.0.1 in this JVM; {@link DiskBench}'s two figures each;</li>
 *   <li>resync: {@link ResyncBench}, engine only.</li>
 * </ol>
 *
 * <p>{@code MirrorBench [MIB=200] [OPS=2000] [ROUNDS=3] [IMAGE_MIB=512] [RESYNC_MIB=1024] [RESYNC_ROUNDS=3]};
 * {@code --no-resync} or {@code --no-data-path} first skips a part. Prints Markdown tables.
 */
public final class MirrorBench {

    private MirrorBench() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        boolean dataPath = !args.remove("--no-data-path");
        boolean resync = !args.remove("--no-resync");
        int mib = intArg(args, 0, 200);
        int ops = intArg(args, 1, 2000);
        int rounds = intArg(args, 2, 3);
        long imageBytes = (long) intArg(args, 3, 512) << 20;
        long resyncBytes = (long) intArg(args, 4, 1024) << 20;
        int resyncRounds = intArg(args, 5, 3);
        if (dataPath) {
            dataPath(mib, ops, rounds, imageBytes);
        }
        if (resync) {
            ResyncBench.run(resyncBytes, resyncRounds);
        }
    }

    private static int intArg(List<String> args, int i, int fallback) {
        return args.size() > i ? Integer.parseInt(args.get(i)) : fallback;
    }

    private static void dataPath(int mib, int ops, int rounds, long imageBytes) throws Exception {
        List<String> names = List.of("plain image + loop", "FUSE over plain image + loop (reference)",
                "FUSE over mirror (2 replicas, loopback) + loop", "the same, mirror link with mutual TLS 1.3");
        List<DataPathBench.Setup> setups = List.of(DataPathBench.plain(),
                DataPathBench.fuse(FuseMount.Options.defaults(), false), mirror(false), mirror(true));
        // Rounds, every row once per round: background load spreads over all rows alike.
        List<List<DiskBench.Result>> results = new ArrayList<>();
        names.forEach(n -> results.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < setups.size(); i++) {
                results.get(i).add(DataPathBench.measure(names.get(i), setups.get(i), imageBytes, mib, ops));
            }
        }
        double[] seq = new double[names.size()];
        double[] lat = new double[names.size()];
        System.out.printf("%nMirror data path: ext4 on a %d MiB image; %d MiB sequential + fsync; %d x 4 KiB "
                + "write+fdatasync; median of %d rounds%n%n", imageBytes >> 20, mib, ops, rounds);
        System.out.println("| path | sequential MB/s | vs plain | 4 KiB sync write median ms | vs plain | p95 ms |");
        System.out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < names.size(); i++) {
            List<DiskBench.Result> r = results.get(i);
            seq[i] = DataPathBench.median(r.stream().mapToDouble(DiskBench.Result::seqMBps).toArray());
            lat[i] = DataPathBench.median(r.stream().mapToDouble(DiskBench.Result::randomMedianMs).toArray());
            double p95 = DataPathBench.median(r.stream().mapToDouble(DiskBench.Result::randomP95Ms).toArray());
            System.out.printf("| %s | %.0f | %.2f× | %.2f | %.2f× | %.2f |%n", names.get(i), seq[i], seq[i] / seq[0],
                    lat[i], lat[i] / lat[0], p95);
        }
        System.out.printf("%nTargets: mirror sequential >= 0.4 of plain: %.2f (%s); mirror 4 KiB fsync latency "
                + "<= 2.5x plain: %.2fx (%s)%n", seq[2] / seq[0], seq[2] / seq[0] >= 0.4 ? "met" : "MISSED",
                lat[2] / lat[0], lat[2] / lat[0] <= 2.5 ? "met" : "MISSED");
        System.out.printf("TLS on the mirror link: sequential %.2f of plaintext's (target >= 0.85: %s); 4 KiB fsync"
                + " latency %.2fx plaintext's%n", seq[3] / seq[2], seq[3] / seq[2] >= 0.85 ? "met" : "MISSED",
                lat[3] / lat[2]);
    }

    /**
     * ext4 on the FUSE file over a MirrorPrimary: primary image = {@code image}'s size in
     * {@code work/mirror}, standby on 127.0.0.1 in the same JVM, both labelled with one generation
     * and the peer committed UpToDate, so the pair is in sync at once (no first full sync). At
     * teardown it checks the pair stayed in sync throughout and the two images are identical:
     * figures from a degraded mirror (writes not replicated) would be worthless.
     */
    private static DataPathBench.Setup mirror(boolean tls) {
        return (image, work, mountPoint) -> {
            MirrorTls[] ends = tls ? linkTls() : new MirrorTls[] {null, null};
            long size = Files.size(image);
            Path dir = Files.createDirectory(work.resolve("mirror"));
            long generation = new SecureRandom().nextLong() | 1; // any non-zero id, the same on both
            List<AutoCloseable> open = new ArrayList<>();
            try {
                BenchReplica standby = add(open, new BenchReplica(dir, "b", size, generation));
                InetSocketAddress peer = standby.serve("b", 0, ends[1]);
                BenchReplica local = add(open, new BenchReplica(dir, "a", size, generation));
                BenchReplica.MapStatePort port = new BenchReplica.MapStatePort("b", ReplicaState.UP_TO_DATE);
                MirrorPrimary primary = new MirrorPrimary(BenchReplica.RESOURCE, "a", "b", peer, local.data, local.writeBehind,
                        local.area, 1, port, MirrorSettings.defaults().withTls(ends[0]), System::nanoTime);
                primary.start();
                add(open, () -> {
                    primary.fence(); // only on a failed start; the normal teardown closes it cleanly first
                    primary.close();
                });
                ResyncBench.await(() -> primary.status().inSync(), 10_000, "mirror pair in sync");
                DataPath dataPath = new DataPath();
                dataPath.start(primary, Files.createDirectory(work.resolve("fuse")), mountPoint, "ext4", true);
                return () -> {
                    MirrorStatus status = primary.status();
                    try {
                        dataPath.stop();
                    } finally {
                        try {
                            primary.close();
                        } finally {
                            local.close();
                            standby.close();
                        }
                    }
                    if (!status.inSync() || status.resyncBytesSent() != 0 || status.bytesBehind() != 0
                            || port.committed("b") != ReplicaState.UP_TO_DATE) {
                        throw new IOException("the mirror did not stay in sync during the measurement: " + status);
                    }
                    long mismatch = Files.mismatch(local.image, standby.image);
                    if (mismatch != -1) {
                        throw new IOException("primary and standby images differ at byte " + mismatch);
                    }
                };
            } catch (Exception e) {
                for (int i = open.size() - 1; i >= 0; i--) {
                    try {
                        open.get(i).close();
                    } catch (Exception cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                throw e instanceof IOException io ? io : new IOException(e);
            }
        };
    }

    /** Mutual TLS for the pair: node a (the primary) and node b, certificates of one fresh CA, as batonctl certs makes them. */
    private static MirrorTls[] linkTls() throws IOException {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("bench", Duration.ofDays(1), now);
        MirrorTls[] ends = new MirrorTls[2];
        String[] nodes = {"a", "b"};
        for (int i = 0; i < 2; i++) {
            Issued own = ca.issueNode(nodes[i], List.of("127.0.0.1"), Duration.ofDays(1), now);
            ends[i] = new MirrorTls(own.key(), own.certificate(), List.of(ca.ca().certificate()), NodeTls::nodeOf);
        }
        return ends;
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T c) {
        open.add(c);
        return c;
    }
}
