package io.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.StatusRequest;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, findings 2 and 4, on a real 3-node loopback cluster: a flood of Status calls, idle
 * connections beyond the ports' limits, and random bytes on the admin and Raft ports. Each must
 * leave the leader leading, the owner and epoch unchanged, and the node's threads, memory, file
 * descriptors and log within a bound.
 */
class PortFloodIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(250);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private LocalCluster cluster;

    private LocalCluster start(String subnet) throws Exception {
        Path dir = Path.of("target", "it-port-flood-" + subnet).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        cluster = new LocalCluster(dir, subnet, HEARTBEAT, LEASE);
        cluster.startAll();
        cluster.awaitAllUp(Duration.ofSeconds(60));
        cluster.awaitOnline("server1", Duration.ofSeconds(60));
        return cluster;
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A field of /proc/PID/status, such as Threads or VmRSS (kB). */
    private static long procStatus(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " for " + pid);
    }

    private static long openFds(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    private GroupStatus group(ClusterStatus s) {
        return s.getGroupsList().stream().filter(g -> g.getName().equals(LocalCluster.GROUP)).findFirst().orElseThrow();
    }

    @Test
    void aStatusFloodIsAnsweredOrRefusedAndTheLeaderKeepsLeading() throws Exception {
        start("127.0.75");
        ClusterStatus before = cluster.status().orElseThrow();
        String leader = before.getLeader();
        long term = before.getRaft().getTerm();
        GroupStatus g = group(before);
        long pid = cluster.process(leader).pid();
        long threads0 = procStatus(pid, "Threads");
        int starts = cluster.appStarts().size();
        long rss0 = procStatus(pid, "VmRSS");

        int calls = 2000;
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            channels.add(Grpc.newChannelBuilderForAddress(cluster.member(leader).ip(), 7401,
                    cluster.adminCredentials(LocalCluster.ADMIN_CERT)).build());
        }
        AtomicInteger ok = new AtomicInteger();
        ConcurrentHashMap<Status.Code, AtomicInteger> failed = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(calls);
        java.util.Set<String> reasons = ConcurrentHashMap.newKeySet();
        AtomicLong peakThreads = new AtomicLong(threads0);
        AtomicLong peakRss = new AtomicLong(rss0);
        Thread sampler = new Thread(() -> {
            while (done.getCount() > 0) {
                try {
                    peakThreads.accumulateAndGet(procStatus(pid, "Threads"), Math::max);
                    peakRss.accumulateAndGet(procStatus(pid, "VmRSS"), Math::max);
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < calls; i++) {
                BatonAdminGrpc.newStub(channels.get(i % channels.size())).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .status(StatusRequest.getDefaultInstance(), new StreamObserver<>() {
                            public void onNext(ClusterStatus value) {}

                            public void onError(Throwable t) {
                                reasons.add(Status.fromThrowable(t).getCode() + " " + Status.fromThrowable(t).getDescription());
                                failed.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new AtomicInteger())
                                        .incrementAndGet();
                                done.countDown();
                            }

                            public void onCompleted() {
                                ok.incrementAndGet();
                                done.countDown();
                            }
                        });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "every call answered within 30 s");
        } finally {
            sampler.join(1000);
            channels.forEach(ManagedChannel::shutdownNow);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String summary = String.format("%d calls in %.2f s: %d answered, refused %s; leader threads %d -> peak %d,"
                + " RSS %d -> peak %d MB", calls, seconds, ok.get(), failed, threads0, peakThreads.get(),
                rss0 / 1024, peakRss.get() / 1024) + " " + reasons;
        System.out.println(summary);
        // Only answers and clear refusals: no deadline ran out, nothing failed otherwise.
        failed.keySet().forEach(code -> assertEquals(Status.Code.RESOURCE_EXHAUSTED, code, summary));
        assertTrue(ok.get() > 0, summary);
        assertTrue(peakThreads.get() <= threads0 + 60, "threads stayed bounded: " + summary);
        assertTrue(peakRss.get() <= rss0 + 150 * 1024, "memory stayed bounded: " + summary);

        // The leader kept its leadership and the owner its lease: nothing moved, nothing fenced.
        ClusterStatus after = cluster.admin(leader).status(StatusRequest.getDefaultInstance());
        assertEquals(leader, after.getLeader(), summary);
        assertEquals(term, after.getRaft().getTerm(), summary);
        assertEquals(g.getOwner(), group(after).getOwner());
        assertEquals(g.getEpoch(), group(after).getEpoch());
        assertTrue(cluster.probeOpen("server1") && !cluster.probeOpen("server2"));
        assertEquals(starts, cluster.appStarts().size(), "the owner did not fence and restart the application");
        await().atMost(Duration.ofSeconds(20)).until(() -> procStatus(pid, "Threads") <= threads0 + 20);
    }

    @Test
    void idleConnectionsBeyondTheLimitsAreRefusedAndTheNodeKeepsWorking() throws Exception {
        start("127.0.76");
        ClusterStatus before = cluster.status().orElseThrow();
        long pid = cluster.process("server1").pid();
        long fds0 = openFds(pid);
        String ip = cluster.member("server1").ip();
        List<Socket> sockets = new ArrayList<>();
        try {
            // 600 on each port, 30 from each of 20 source addresses: over the per-port limit (256) and,
            // for the admin port, the per-address limit (32) too.
            for (int port : new int[] {7401, 7400}) {
                for (int i = 0; i < 600; i++) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress("127.0.76." + (100 + i % 20), 0));
                    s.connect(new InetSocketAddress(ip, port), 2000);
                    sockets.add(s);
                }
            }
            long fdsHeld = openFds(pid);
            String summary = "server1 fds " + fds0 + " -> " + fdsHeld + " with 1,200 connections held open";
            System.out.println(summary);
            assertTrue(fdsHeld <= fds0 + 256 + 256 + 40, summary);

            // The node keeps working while they are held: a move succeeds.
            long epoch = group(before).getEpoch();
            cluster.admin("server2").move(MoveRequest.newBuilder().setGroup(LocalCluster.GROUP).setTo("server2").build());
            GroupStatus moved = cluster.awaitOnline("server2", Duration.ofSeconds(30));
            assertTrue(moved.getEpoch() > epoch);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> openFds(pid) <= fds0 + 20);
    }

    private static int lines(Path log) throws IOException {
        return Files.readAllLines(log).size();
    }

    @Test
    void randomBytesOnBothPortsAreRefusedInAFewLogLines() throws Exception {
        start("127.0.77");
        ClusterStatus before = cluster.status().orElseThrow();
        int starts = cluster.appStarts().size();
        Path logs = cluster.configFile().getParent().resolve("logs");
        int[] before1 = new int[3];
        List<LocalCluster.Member> members = cluster.members();
        for (int i = 0; i < 3; i++) {
            before1[i] = lines(logs.resolve(members.get(i).id() + ".log"));
        }
        Random random = new Random(9);
        byte[] junk = new byte[4096];
        for (int round = 0; round < 100; round++) {
            for (LocalCluster.Member m : members) {
                for (int port : new int[] {7400, 7401}) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(m.ip(), port), 2000);
                        random.nextBytes(junk);
                        OutputStream out = s.getOutputStream();
                        out.write(junk);
                        out.flush();
                    } catch (IOException e) {
                        // refused or reset: what a node may do with garbage
                    }
                }
            }
        }
        // Give the nodes a moment to log what they would, then count.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        StringBuilder summary = new StringBuilder("log lines added by 600 garbage connections per node:");
        int worst = 0;
        for (int i = 0; i < 3; i++) {
            int added = lines(logs.resolve(members.get(i).id() + ".log")) - before1[i];
            summary.append(' ').append(members.get(i).id()).append('=').append(added);
            worst = Math.max(worst, added);
        }
        System.out.println(summary);
        assertTrue(worst <= 20, summary + "\n" + cluster.logTail(40));
        ClusterStatus after = cluster.status().orElseThrow();
        assertEquals(group(before).getOwner(), group(after).getOwner());
        assertEquals(group(before).getEpoch(), group(after).getEpoch());
        assertEquals(starts, cluster.appStarts().size(), "the owner did not fence and restart the application\n"
                + cluster.logTail(40));
    }
}
