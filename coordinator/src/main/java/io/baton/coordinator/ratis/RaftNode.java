package io.baton.coordinator.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.baton.coordinator.net.ConnectionLimits;
import io.baton.coordinator.ratis.tls.RaftTls;
import io.baton.coordinator.ratis.tls.RequestorCheck;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.LeaderQuery;
import io.baton.proto.LeaderView;
import io.baton.proto.RaftContact;
import io.baton.proto.ResultCode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One Baton member of the Raft group: a Ratis server with the {@link BatonStateMachine}, plus one
 * long-lived client for this node's own proposals (heartbeats, admin commands, controller decisions).
 */
public final class RaftNode implements Closeable {

    /** A voter. The witness gets the higher Raft priority, so that the leader is usually a node that owns nothing. */
    public record Peer(String id, String host, int port, boolean witness) {
        String address() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * Raft timing, log sizes, the Raft port's connection limits and its mutual TLS ({@code tls} null:
     * plaintext, as without a {@code tls} block in the cluster file).
     */
    public record Settings(Duration electionTimeoutMax, Duration requestTimeout, long snapshotEveryEntries,
                           ConnectionLimits raftPort, RaftTls tls) {
        public Settings(Duration electionTimeoutMax, Duration requestTimeout, long snapshotEveryEntries) {
            this(electionTimeoutMax, requestTimeout, snapshotEveryEntries, ConnectionLimits.RAFT_DEFAULT, null);
        }

        public Settings(Duration electionTimeoutMax, Duration requestTimeout, long snapshotEveryEntries,
                        ConnectionLimits raftPort) {
            this(electionTimeoutMax, requestTimeout, snapshotEveryEntries, raftPort, null);
        }

        /** These settings with mutual TLS on the Raft port. */
        public Settings withTls(RaftTls tls) {
            return new Settings(electionTimeoutMax, requestTimeout, snapshotEveryEntries, raftPort, tls);
        }
    }

    /** The largest message the Raft port reads: 512 KiB of entries per append, with Ratis's 1 MB of room. */
    static final SizeInBytes RAFT_MESSAGE_MAX = SizeInBytes.valueOf("2MB");
    /** A snapshot is sent in chunks of at most this (Ratis's default, 16 MB, would not fit in a message). */
    static final SizeInBytes SNAPSHOT_CHUNK_MAX = SizeInBytes.valueOf("1MB");

    /** Pause between sends refused by a leader that is stepping down (a transfer takes about an election). */
    private static final long STEPPING_DOWN_RETRY_MS = 50;

    private final RaftServer server;
    private final SteeredClient<RaftClient> client;
    private final SteeredClient<RaftClient> heartbeatClient;
    /** The transports {@link #client} and {@link #heartbeatClient} keep across the clients they build. */
    private final List<ConnectionKeepingRpc> transports = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService senders;
    /**
     * Heartbeat sends run here, never on {@link #senders}: admin and controller requests share that
     * pool, and no amount of them may delay a heartbeat enough to cost the owner its lease.
     */
    private final ExecutorService heartbeatSenders;
    private final RaftPortGuard raftPort;
    /** What this node's own Ratis clients are built with: its TLS, if any. */
    private final Parameters clientParameters;
    private final RaftGroup group;
    private final BatonStateMachine stateMachine;
    private final RaftPeerId selfId;
    private final long electionTimeoutMaxMs;
    /** Each member's Raft address to its id, for TLS: the cluster file's, then the membership's ({@link #knowMembers}). */
    private final java.util.concurrent.atomic.AtomicReference<Map<String, String>> raftMembers =
            new java.util.concurrent.atomic.AtomicReference<>(Map.of());

    public RaftNode(String clusterName, String selfId, List<Peer> peers, Path storageDir, Settings settings,
                    BatonStateMachine stateMachine) throws IOException {
        this.stateMachine = stateMachine;
        this.selfId = RaftPeerId.valueOf(selfId);
        this.electionTimeoutMaxMs = settings.electionTimeoutMax().toMillis();
        Peer self = peers.stream().filter(p -> p.id().equals(selfId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node " + selfId + " is not a peer"));
        this.group = RaftGroup.valueOf(groupId(clusterName), peers.stream().map(RaftNode::toRaftPeer).toList());
        this.raftMembers.set(membersByAddress(peers));

        RaftProperties p = new RaftProperties();
        // gRPC, with a log appender that sends the snapshot in a corner where Ratis's own dies (RATIS-1707).
        RaftConfigKeys.Rpc.setType(p, new BatonRpcType());
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        GrpcConfigKeys.Server.setHost(p, self.host());
        GrpcConfigKeys.Server.setPort(p, self.port());
        long max = settings.electionTimeoutMax().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(Math.max(50, max / 2), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(max, TimeUnit.MILLISECONDS));
        // A stepped-down leader skips elections this long (10 s by default): too long for failover.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, settings.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // Heartbeats fill the log steadily: purge up to the snapshot; a lagging peer gets the snapshot.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("4MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("256KB"));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("1MB"));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("512KB"));
        // The Raft port reads at most RAFT_MESSAGE_MAX per message (Ratis's default is 64 MB, so anyone
        // who can reach the port could make it buffer that much). Ratis requires it to be at least 1 MB
        // above the appender buffer; a snapshot goes in chunks that must fit in one message.
        GrpcConfigKeys.setMessageSizeMax(p, RAFT_MESSAGE_MAX);
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SNAPSHOT_CHUNK_MAX);
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        // Reads are linearizable (ReadIndex: a heartbeat round proves the leadership after the read
        // arrived): a heartbeat that reports nothing new is confirmed by one instead of a log entry.
        // Ratis's leader lease (a read without that round) stays off: it trusts clock rates.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);

        // Connection limits on the Raft port, through Ratis's hook for its gRPC server builder.
        this.raftPort = new RaftPortGuard(settings.raftPort());
        Parameters parameters = new Parameters();
        this.clientParameters = new Parameters();
        if (settings.tls() == null) {
            GrpcConfigKeys.Server.setServicesCustomizer(parameters, raftPort);
        } else {
            // Mutual TLS for every protocol on the port (server-to-server, client, admin) and for this
            // node's own clients; the handshake admits only member node certificates, and a vote or
            // append must come from the node of the connection's certificate.
            GrpcTlsConfig tls = settings.tls().grpc(raftMembers::get);
            for (Parameters each : List.of(parameters, clientParameters)) {
                GrpcConfigKeys.TLS.setConf(each, tls);
                GrpcConfigKeys.Server.setTlsConf(each, tls);
                GrpcConfigKeys.Client.setTlsConf(each, tls);
                GrpcConfigKeys.Admin.setTlsConf(each, tls);
            }
            RequestorCheck requestors = new RequestorCheck(settings.tls().nodeOf());
            GrpcConfigKeys.Server.setServicesCustomizer(parameters,
                    (builder, types) -> raftPort.customize(builder, types).intercept(requestors));
        }

        this.server = RaftServer.newBuilder()
                .setServerId(this.selfId)
                .setParameters(parameters)
                .setGroup(group)
                .setProperties(p)
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();

        // Writes use the blocking API on threads of our own, never the ordered async API: an ordered
        // async client whose request runs out of retries (no leader for a while) fails that request
        // and every later one with AlreadyClosedException, for good (SlidingWindow keeps the error).
        // The default policy retries forever without sleeping: each client gets a bounded one.
        long requestMs = Math.max(500, settings.requestTimeout().toMillis() / 3);
        this.client = newClient(Duration.ofMillis(requestMs), 5);
        // Heartbeats get a client of their own, with short attempts and few of them: the next
        // heartbeat is due soon and a stale one is worth nothing.
        this.heartbeatClient = newClient(Duration.ofMillis(Math.max(100, settings.electionTimeoutMax().toMillis() * 2)), 3);
        this.senders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "baton-raft-send");
            t.setDaemon(true);
            return t;
        });
        this.heartbeatSenders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "baton-heartbeat-send");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A client that starts at the leader this server knows of (see {@link SteeredClient}), with
     * {@code attempts} tries of {@code requestTimeout} each per request.
     */
    private SteeredClient<RaftClient> newClient(Duration requestTimeout, int attempts) {
        RaftProperties cp = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(cp, TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
        ClientId clientId = ClientId.randomId();
        ConnectionKeepingRpc transport = new ConnectionKeepingRpc(ClientFactory.cast(
                SupportedRpcType.GRPC.newFactory(clientParameters)).newRaftClientRpc(clientId, cp));
        transports.add(transport);
        return new SteeredClient<>(this::serverLeader, leader -> {
            RaftClient.Builder b = RaftClient.newBuilder()
                    .setClientId(clientId)
                    .setRaftGroup(currentGroup())
                    .setProperties(cp)
                    .setClientRpc(transport)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                            attempts, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
            leader.ifPresent(b::setLeaderId);
            return b.build();
        });
    }

    private Optional<RaftPeerId> serverLeader() {
        try {
            return Optional.ofNullable(server.getDivision(group.getGroupId()).getInfo().getLeaderId());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The group with the peers of the latest configuration this server knows: a client built on the
     * cluster file's peers alone could not reach a leader added later (batonctl node add).
     */
    private RaftGroup currentGroup() {
        try {
            RaftGroup known = server.getDivision(group.getGroupId()).getGroup();
            return known.getPeers().isEmpty() ? group : known;
        } catch (IOException | RuntimeException e) {
            return group;
        }
    }

    /** The ids of the voters in the latest Raft configuration this server knows (committed or not). */
    public List<String> voters() {
        try {
            return server.getDivision(group.getGroupId()).getRaftConf().getCurrentPeers().stream()
                    .map(p -> p.getId().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Changes the voters: adds {@code add} (if not null) and removes {@code remove} (if not null), only if
     * the configuration is still the one this server knows (Ratis compares the voters' ids, so a
     * concurrent change fails this one). Ratis first brings a new voter up to date from the leader
     * (it must be running and reachable) and fails the change if it makes no progress. Completes when
     * the new configuration is committed; fails with Ratis's reason.
     */
    public CompletableFuture<Void> changeVoters(Peer add, String remove, Duration timeout) {
        return CompletableFuture.runAsync(() -> {
            try {
                List<RaftPeer> current = List.copyOf(server.getDivision(group.getGroupId()).getRaftConf().getCurrentPeers());
                List<RaftPeer> next = new ArrayList<>();
                current.stream().filter(p -> !p.getId().toString().equals(remove)).forEach(next::add);
                if (add != null && next.stream().noneMatch(p -> p.getId().toString().equals(add.id()))) {
                    next.add(toRaftPeer(add));
                }
                RaftClientReply reply = membershipClient(timeout).get().admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(current).setServersInNewConf(next)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build());
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException() != null
                            ? reply.getException() : new IOException("the configuration change failed"));
                }
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, senders).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private SteeredClient<RaftClient> membershipClient;

    /**
     * A client that waits {@code timeout} for one try: a new voter's catch-up takes longer than an
     * ordinary request, and a retry while the first change runs would be refused as in progress.
     */
    private synchronized SteeredClient<RaftClient> membershipClient(Duration timeout) {
        if (membershipClient == null) {
            membershipClient = newClient(timeout, 1);
        }
        return membershipClient;
    }

    /** The Raft group id: derived from the cluster name so that every node computes the same one. */
    public static RaftGroupId groupId(String clusterName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("baton:" + clusterName).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The members are now {@code peers} (an operator changed the membership): with TLS, the Raft port
     * admits their node certificates and this node's connections expect them at their addresses.
     */
    public void knowMembers(List<Peer> peers) {
        raftMembers.set(membersByAddress(peers));
    }

    /** Each member's Raft address to its id, as {@link RaftTls#address} spells addresses. */
    private static Map<String, String> membersByAddress(List<Peer> peers) {
        Map<String, String> map = new HashMap<>();
        peers.forEach(p -> map.put(RaftTls.address(p.host(), p.port()), p.id()));
        return Map.copyOf(map);
    }

    private static RaftPeer toRaftPeer(Peer peer) {
        return RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.address())
                .setPriority(peer.witness() ? 2 : 1).build();
    }

    public void start() throws IOException {
        server.start();
    }

    public BatonStateMachine stateMachine() {
        return stateMachine;
    }

    public String selfId() {
        return selfId.toString();
    }

    /**
     * Proposes a command and completes with its result once committed and applied by the leader;
     * fails (with a {@link CompletionException}) if no leader with a quorum commits it in time, and
     * at once (with an {@link IllegalArgumentException}) for a command over
     * {@link BatonStateMachine#MAX_COMMAND_BYTES}.
     */
    public CompletableFuture<CommandResult> submit(Command command, Duration timeout) {
        return send(client, command, timeout, senders);
    }

    /** Like {@link #submit}, for this node's heartbeats, on their own client. */
    public CompletableFuture<CommandResult> submitHeartbeat(Command heartbeat, Duration timeout) {
        return send(heartbeatClient, heartbeat, timeout, heartbeatSenders);
    }

    /**
     * Sends a heartbeat that reports nothing new as a linearizable read to the leader instead of a log
     * entry ({@link io.baton.coordinator.core.HeartbeatReads}); completes with what a committed heartbeat
     * would have answered, or {@code RESULT_WRITE_NEEDED} when it must be committed after all (also from
     * a leader that does not answer such reads). Fails like {@link #submitHeartbeat}.
     */
    public CompletableFuture<CommandResult> confirmHeartbeat(Command heartbeat, Duration timeout) {
        Command own = heartbeat.toBuilder().setProposer(selfId.toString()).build();
        Optional<CommandResult> local = confirmHere(own);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local.get());
        }
        Message query = Message.valueOf(ByteString.copyFrom(LeaderQuery.newBuilder().setConfirm(own).build().toByteArray()));
        return CompletableFuture.supplyAsync(() -> {
            try {
                RaftClientReply reply = heartbeatClient.get().io().sendReadOnly(query);
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException() != null
                            ? reply.getException() : new IOException("read failed"));
                }
                LeaderView view = LeaderView.parseFrom(reply.getMessage().getContent().toByteArray());
                return view.hasConfirmation() ? view.getConfirmation() : CommandResult.newBuilder()
                        .setCode(ResultCode.RESULT_WRITE_NEEDED).setMessage("the leader does not confirm heartbeats by a read").build();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, heartbeatSenders).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<CommandResult> send(SteeredClient<RaftClient> via, Command command, Duration timeout,
                                                  ExecutorService pool) {
        int size = command.getSerializedSize();
        if (size > BatonStateMachine.MAX_COMMAND_BYTES) {
            // The leader would refuse it too (BatonStateMachine.startTransaction): say so without a round trip.
            return CompletableFuture.failedFuture(new IllegalArgumentException(BatonStateMachine.overLimit(size)));
        }
        // Every command names this node as its proposer; with TLS the Raft port checks it (RequestorCheck).
        Message message = Message.valueOf(ByteString.copyFrom(command.toBuilder().setProposer(selfId.toString())
                .build().toByteArray()));
        long deadline = System.nanoTime() + timeout.toNanos();
        return CompletableFuture.supplyAsync(() -> {
            while (true) {
                try {
                    RaftClientReply reply = via.get().io().send(message);
                    if (reply.getLeaderSteppingDownException() != null) {
                        throw reply.getLeaderSteppingDownException();
                    }
                    return decode(reply);
                } catch (LeaderSteppingDownException e) {
                    // The leader refused before appending (Ratis checks this ahead of the log), so
                    // sending again cannot apply the command twice. The Ratis client does not retry
                    // it itself, and Baton's own leaders step down on purpose (hand-back to the
                    // witness), so a command racing that hand-back would fail for nothing.
                    if (!pauseBeforeRetry(deadline)) {
                        throw new CompletionException(e);
                    }
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }
        }, pool).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits a little before sending again; false when the deadline leaves no room for another try. */
    private static boolean pauseBeforeRetry(long deadlineNanos) {
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(STEPPING_DOWN_RETRY_MS);
        if (System.nanoTime() + pauseNanos >= deadlineNanos) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(pauseNanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static CommandResult decode(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException() != null
                    ? reply.getException() : new IOException("raft request failed"));
        }
        try {
            return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new CompletionException(e);
        }
    }

    /**
     * The leader's own heartbeat, answered in place rather than through its own Raft port: as the read
     * would be, once this replica has applied everything committed so far (the leadership checks are
     * the read's, {@link BatonStateMachine.ReadConfirmer}). Empty when this server does not lead or has
     * entries still to apply: then the read goes the usual way.
     */
    private Optional<CommandResult> confirmHere(Command heartbeat) {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            if (!division.getInfo().isLeader() || !division.getInfo().isLeaderReady()) {
                return Optional.empty();
            }
            long committed = division.getRaftLog().getLastCommittedIndex();
            var applied = stateMachine.getLastAppliedTermIndex();
            if (applied == null || applied.getIndex() < committed) {
                return Optional.empty();
            }
            return Optional.of(stateMachine.confirm(heartbeat));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The state as the leader has applied it, the id of the leader that answered, and what that leader
     * knows of its followers (empty if it had just lost the leadership, or does not report it).
     */
    public record LeaderState(String leader, ClusterStateProto state, Optional<RaftContact> raft) {}

    private static final Message LEADER_VIEW_QUERY = Message.valueOf(ByteString.copyFrom(
            LeaderQuery.newBuilder().setRaftContact(true).build().toByteArray()));

    /**
     * The whole replicated state as the leader has applied it, with the leader's contact with its
     * followers, in one read-only query to the leader.
     */
    public CompletableFuture<LeaderState> queryLeader(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                // The leader's own view, without a ReadIndex round: status must answer quickly, and
                // during a partition a deposed leader's view is still worth showing.
                RaftClientReply reply = client.get().io().sendReadOnlyNonLinearizable(LEADER_VIEW_QUERY);
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException() != null
                            ? reply.getException() : new IOException("read failed"));
                }
                byte[] answer = reply.getMessage().getContent().toByteArray();
                LeaderView view = LeaderView.parseFrom(answer);
                String leader = reply.getServerId().toString();
                if (!view.hasState()) {
                    // A leader that does not know LeaderQuery answers with the state alone.
                    return new LeaderState(leader, ClusterStateProto.parseFrom(answer), Optional.empty());
                }
                return new LeaderState(leader, view.getState(),
                        view.hasRaft() ? Optional.of(view.getRaft()) : Optional.empty());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, senders).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks Ratis to hand this server's leadership to {@code peerId}; completes when the transfer is
     * done, or exceptionally if it could not be (the peer not caught up in time, no longer leader).
     */
    public CompletableFuture<Void> transferLeadership(String peerId, Duration timeout) {
        return transfer(RaftPeerId.valueOf(peerId), null, timeout);
    }

    /**
     * Asks this server, if it leads, to step down: the next election makes a leader with new log
     * appenders (with the witness's priority, the witness again if it led). Completes once it stepped
     * down, or exceptionally (not the leader, no step-down within {@code timeout}).
     */
    public CompletableFuture<Void> stepDown(Duration timeout) {
        // No new leader named: Ratis steps the addressed leader down (AdminApi.transferLeadership).
        return transfer(null, selfId, timeout);
    }

    /** Ratis's transferLeadership to {@code newLeader} (null: step down), sent to {@code leader} (null: the leader). */
    private CompletableFuture<Void> transfer(RaftPeerId newLeader, RaftPeerId leader, Duration timeout) {
        return CompletableFuture.runAsync(() -> {
            try {
                RaftClientReply reply = client.get().admin().transferLeadership(newLeader, leader, timeout.toMillis());
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException() != null
                            ? reply.getException() : new IOException(newLeader == null ? "step-down failed" : "transfer failed"));
                }
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, senders);
    }

    /** The leader this server knows of, if any. */
    public Optional<String> leaderId() {
        return serverLeader().map(RaftPeerId::toString);
    }

    /** Whether this server is leader and ready to serve (has applied everything before its term). */
    public boolean isLeaderReady() {
        try {
            var info = server.getDivision(group.getGroupId()).getInfo();
            return info.isLeader() && info.isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether this server leads and {@code peerId} keeps step with it (see {@link RaftContacts#inStep}):
     * heard within an election timeout, at most {@link #IN_STEP_MAX_LAG} entries behind.
     */
    public boolean followerInStep(String peerId) {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            return RaftContacts.of(division.getInfo().getRoleInfoProto(), division.getCommitInfos())
                    .map(c -> RaftContacts.inStep(c, peerId, electionTimeoutMaxMs, IN_STEP_MAX_LAG))
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether this server leads and heard a majority of the voters within {@link #readFreshness()}: what
     * a heartbeat read needs besides Ratis's ReadIndex. (A follower's "not leader" answer also counts as
     * heard, but Ratis steps the leader down on it at once, on the same thread.)
     */
    public boolean leadsAFreshMajority() {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            return division.getInfo().isLeader() && RaftContacts.of(division.getInfo().getRoleInfoProto(), List.of())
                    .map(c -> RaftContacts.majorityHeardWithin(c, readFreshness().toMillis())).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * How long after a newer leader's election a deposed leader may still confirm a heartbeat read:
     * half an election timeout, the shortest one ({@link #leadsAFreshMajority}); Ratis's leader sends
     * to each follower every quarter. Ratis's ReadIndex alone does not bound it: in 3.2 a read at a
     * commit index that an earlier heartbeat round acknowledged is answered without a new round, so an
     * idle deposed leader that has not yet noticed would answer at once.
     */
    public Duration readFreshness() {
        return Duration.ofMillis(Math.max(50, electionTimeoutMaxMs / 2));
    }

    /** Entries a follower may be behind and still count as in step: a few heartbeats' worth. */
    static final long IN_STEP_MAX_LAG = 20;

    /** The current Raft term as this server knows it (-1 if unknown). */
    public long currentTerm() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            senders.shutdownNow();
            heartbeatSenders.shutdownNow();
            for (ConnectionKeepingRpc transport : transports) {
                transport.closeShared();
            }
        } finally {
            try {
                server.close();
            } finally {
                raftPort.close();
            }
        }
    }
}
