package io.baton.coordinator.ratis;

import static org.awaitility.Awaitility.await;

import io.baton.coordinator.core.Controller;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.GroupState;
import io.baton.coordinator.core.StateCodec;
import io.baton.coordinator.core.Timing;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.tls.RaftTls;
import io.baton.coordinator.time.MonotonicClock;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.Heartbeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Three real Ratis servers over gRPC on loopback in this JVM: data nodes server1 and server2 and
 * the witness, each with its own {@link BatonStateMachine}, {@link ControllerRunner} and storage
 * directory under {@code root}. Members can be stopped and started again on the same storage and
 * port (new instances), as a restarted process would be.
 */
final class InProcessCluster implements AutoCloseable {
    static final String CLUSTER = "raft-it";
    static final List<String> IDS = List.of("server1", "server2", "witness");

    /** web starts by itself (server1 preferred); batch waits for an operator. */
    static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.NodeSpec("server1", false), new Topology.NodeSpec("server2", false),
                    new Topology.NodeSpec("witness", true)),
            List.of(new Topology.GroupSpec("web", List.of("server1", "server2"), true),
                    new Topology.GroupSpec("batch", List.of("server1", "server2"), false)));

    /**
     * A long lease (10 s, heartbeats every 1 s: eligible for 4 s after a heartbeat): within a test no
     * node is proposed down and no group is taken over, so the state changes only by what tests submit
     * and by the controller's automatic start.
     */
    static final Timing TIMING = new Timing(TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1), 0.01,
            TimeUnit.MILLISECONDS.toNanos(500));

    static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration ELECTION_WAIT = Duration.ofSeconds(20);

    static {
        quietLogs();
    }

    private final Path root;
    private final List<RaftNode.Peer> peers;
    private final RaftNode.Settings settings;
    /** Each member's Raft TLS, or null for plaintext. */
    private final Function<String, RaftTls> tls;
    private final Map<String, Member> running = new LinkedHashMap<>();

    InProcessCluster(Path root, long snapshotEveryEntries) {
        this(root, snapshotEveryEntries, Duration.ofMillis(300));
    }

    /** With a longer election timeout, a loaded machine's pauses do not change the leader by themselves. */
    InProcessCluster(Path root, long snapshotEveryEntries, Duration electionTimeout) {
        this(root, snapshotEveryEntries, electionTimeout, List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"), null);
    }

    /**
     * Members on loopback addresses of their own ({@code hosts}, in the order of {@link #IDS}), each with
     * the Raft TLS {@code tls} gives for its id (null: plaintext).
     */
    InProcessCluster(Path root, long snapshotEveryEntries, Duration electionTimeout, List<String> hosts,
                     Function<String, RaftTls> tls) {
        this(root, snapshotEveryEntries, new RaftNode.Settings(electionTimeout, Duration.ofSeconds(2), snapshotEveryEntries),
                hosts, tls);
    }

    InProcessCluster(Path root, long snapshotEveryEntries, RaftNode.Settings settings, List<String> hosts,
                     Function<String, RaftTls> tls) {
        this.root = root;
        List<Integer> ports = freePorts(hosts);
        List<RaftNode.Peer> list = new ArrayList<>();
        for (int i = 0; i < IDS.size(); i++) {
            list.add(new RaftNode.Peer(IDS.get(i), hosts.get(i), ports.get(i), IDS.get(i).equals("witness")));
        }
        this.peers = List.copyOf(list);
        this.settings = settings;
        this.tls = tls;
    }

    /** Member {@code id}'s Raft address. */
    RaftNode.Peer peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    /** Starts all three members. */
    static InProcessCluster start(Path root, long snapshotEveryEntries) throws IOException {
        return start(new InProcessCluster(root, snapshotEveryEntries));
    }

    /** Starts all three members of {@code c}. */
    static InProcessCluster start(InProcessCluster c) throws IOException {
        try {
            for (String id : IDS) {
                c.start(id);
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts member {@code id} with fresh instances on its storage directory and port. */
    synchronized Member start(String id) throws IOException {
        if (running.containsKey(id)) {
            throw new IllegalStateException(id + " is running");
        }
        Path dir = storageDir(id);
        Files.createDirectories(dir);
        Core core = new Core(TOPOLOGY);
        BatonStateMachine sm = new BatonStateMachine(core);
        RaftNode.Settings own = tls == null ? settings : settings.withTls(tls.apply(id));
        RaftNode raft = new RaftNode(CLUSTER, id, peers, dir, own, sm);
        ControllerRunner controller = new ControllerRunner(raft, new Controller(TOPOLOGY, TIMING),
                MonotonicClock.SYSTEM, System::currentTimeMillis, Duration.ofMillis(50));
        Recorder recorder = new Recorder(raft);
        sm.addListener(controller);
        sm.addListener(recorder);
        Member m = new Member(id, raft, sm, controller, recorder);
        running.put(id, m);
        raft.start();
        return m;
    }

    /**
     * Stops members: each its controller, then its Raft server and client. A Ratis server takes about
     * a second to close, so several close in parallel.
     */
    void stop(String... ids) throws IOException {
        List<Member> members = new ArrayList<>();
        synchronized (this) {
            for (String id : ids) {
                Optional.ofNullable(running.remove(id)).ifPresent(members::add);
            }
        }
        List<Thread> threads = new ArrayList<>();
        List<IOException> errors = new CopyOnWriteArrayList<>();
        for (Member m : members) {
            Thread t = new Thread(() -> {
                try {
                    m.close();
                } catch (IOException e) {
                    errors.add(e);
                }
            }, "stop-" + m.id());
            t.start();
            threads.add(t);
        }
        try {
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping " + List.of(ids), e);
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    void stopAll() throws IOException {
        List<String> ids;
        synchronized (this) {
            ids = List.copyOf(running.keySet());
        }
        stop(ids.toArray(String[]::new));
    }

    @Override
    public void close() throws IOException {
        stopAll();
    }

    synchronized Member member(String id) {
        Member m = running.get(id);
        if (m == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return m;
    }

    synchronized Collection<Member> members() {
        return List.copyOf(running.values());
    }

    /** The Raft group as a client outside the members sees it (ids and addresses). */
    org.apache.ratis.protocol.RaftGroup raftGroup() {
        return org.apache.ratis.protocol.RaftGroup.valueOf(RaftNode.groupId(CLUSTER), peers.stream()
                .map(p -> org.apache.ratis.protocol.RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build())
                .toList());
    }

    Path storageDir(String id) {
        return root.resolve(id);
    }

    /** The snapshot files ({@code snapshot.<term>_<index>}) in a member's state machine directory. */
    List<Path> snapshotFiles(String id) throws IOException {
        Path sm = storageDir(id).resolve(RaftNode.groupId(CLUSTER).getUuid().toString()).resolve("sm");
        if (!Files.isDirectory(sm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sm)) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).sorted().toList();
        }
    }

    /** Submits through member {@code via}'s own client and waits for the result. */
    CommandResult submit(String via, Command command) {
        return member(via).raft().submit(command, SUBMIT_TIMEOUT)
                .orTimeout(SUBMIT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).join();
    }

    /** The ready leader, once there is one among the running members. */
    Member awaitReadyLeader() {
        return await("a ready leader").atMost(ELECTION_WAIT).pollInterval(Duration.ofMillis(50))
                .until(this::readyLeader, Optional::isPresent).orElseThrow();
    }

    Optional<Member> readyLeader() {
        return members().stream().filter(m -> m.raft().isLeaderReady()).findFirst();
    }

    /** Waits until every running member has applied the same log index with the same state; returns it. */
    Applied awaitConverged() {
        return await("replicas converge").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(this::converged, Optional::isPresent).orElseThrow();
    }

    Optional<Applied> converged() {
        List<Applied> all = members().stream().map(Member::applied).toList();
        if (all.isEmpty() || all.stream().anyMatch(a -> !a.equals(all.get(0)))) {
            return Optional.empty();
        }
        return Optional.of(all.get(0));
    }

    static Command heartbeat(String node, long seq, GroupReport... reports) {
        return Command.newBuilder().setWallTimeMs(System.currentTimeMillis())
                .setHeartbeat(Heartbeat.newBuilder().setNode(node).setIncarnation(1).setSeq(seq)
                        .addAllReports(List.of(reports)))
                .build();
    }

    static Command stamped(Command.Builder command) {
        return command.setWallTimeMs(System.currentTimeMillis()).build();
    }

    /** One group as a member's replica has it. */
    static Optional<GroupState> group(Member m, String name) {
        return m.stateMachine().read(s -> s.groupCopy(name));
    }

    /** A replica's last applied index and its state at that index, read together under the apply lock. */
    record Applied(long index, ClusterStateProto state) {}

    /** One running member. */
    record Member(String id, RaftNode raft, BatonStateMachine stateMachine, ControllerRunner controller,
                  Recorder recorder) {
        Applied applied() {
            return stateMachine.read(s -> new Applied(stateMachine.getLastAppliedTermIndex().getIndex(),
                    StateCodec.toProto(s)));
        }

        void close() throws IOException {
            controller.close();
            raft.close();
        }
    }

    /** Records the leadership hooks a state machine passes to its listeners. */
    static final class Recorder implements StateListener {
        private final RaftNode raft;
        final AtomicInteger leaderReadyCount = new AtomicInteger();
        /** For each leaderReady: whether this server was the leader it knew of at that moment. */
        final List<Boolean> readyWhileLeader = new CopyOnWriteArrayList<>();
        volatile boolean leading;

        Recorder(RaftNode raft) {
            this.raft = raft;
        }

        @Override
        public void leaderReady() {
            readyWhileLeader.add(raft.leaderId().map(raft.selfId()::equals).orElse(false));
            leaderReadyCount.incrementAndGet();
            leading = true;
        }

        @Override
        public void notLeader() {
            leading = false;
        }
    }

    /** Distinct free ports on 127.0.0.1: all bound at once so that they differ, then released. */
    static List<Integer> freePorts(int n) {
        return freePorts(java.util.Collections.nCopies(n, "127.0.0.1"));
    }

    /** A free port on each of {@code hosts}: all bound at once so that they differ, then released. */
    static List<Integer> freePorts(List<String> hosts) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (String host : hosts) {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), 0));
                sockets.add(s);
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Ratis logs a lot at INFO and DEBUG (and retried client calls at ERROR); keep the test output readable. */
    private static void quietLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.INFO);
            ctx.getLogger("org.apache.ratis").setLevel(ch.qos.logback.classic.Level.WARN);
            ctx.getLogger("org.apache.ratis.client.impl.OrderedAsync").setLevel(ch.qos.logback.classic.Level.OFF);
            ctx.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").setLevel(ch.qos.logback.classic.Level.ERROR);
            ctx.getLogger("org.apache.ratis.thirdparty").setLevel(ch.qos.logback.classic.Level.WARN);
            ctx.getLogger("io.grpc").setLevel(ch.qos.logback.classic.Level.WARN);
            ctx.getLogger("io.netty").setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
