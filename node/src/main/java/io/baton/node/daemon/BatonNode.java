package io.baton.node.daemon;

import io.baton.coordinator.agent.OwnerLease;
import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.Controller;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.GroupPolicy;
import io.baton.node.config.ExecResourceConfig;
import io.baton.node.config.GroupConfig;
import io.baton.node.config.RestartPolicy;
import io.baton.coordinator.core.StateCodec;
import io.baton.coordinator.core.Timing;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.BatonStateMachine;
import io.baton.coordinator.ratis.ControllerRunner;
import io.baton.coordinator.ratis.RaftNode;
import io.baton.coordinator.time.MonotonicClock;
import io.baton.node.admin.AdminLimits;
import io.baton.node.admin.AdminService;
import io.baton.node.admin.EventHub;
import io.baton.node.audit.AuditTrail;
import io.baton.node.admin.StatusBuilder;
import io.baton.node.admin.StatusCache;
import io.baton.node.alerts.AlertDispatcher;
import io.baton.node.alerts.AlertSenders;
import io.baton.node.alerts.RaftAlertCluster;
import io.baton.node.console.ConsoleSessions;
import io.baton.node.console.SignInLinks;
import io.baton.node.console.WebConsole;
import io.baton.node.http.HttpPort;
import io.baton.node.metrics.LocalView;
import io.baton.node.metrics.NodeMetrics;
import io.baton.node.agent.GroupRuntime;
import io.baton.node.agent.HeartbeatSender;
import io.baton.node.agent.LocalState;
import io.baton.node.agent.NodeAgent;
import io.baton.node.agent.RaftReplicaStatePort;
import io.baton.node.agent.ResourceFactory;
import io.baton.node.mirror.MirrorDisks;
import io.baton.node.security.CertificateException;
import io.baton.node.security.NodeTls;
import io.baton.resources.mirror.engine.MirrorTls;
import io.baton.node.config.ClusterConfig;
import io.baton.node.configchange.AgentGroups;
import io.baton.node.configchange.AppliedConfigs;
import io.baton.node.configchange.ConfigApply;
import io.baton.node.configchange.ConfigFollower;
import io.baton.node.config.NodeConfig;
import io.baton.node.config.Role;
import io.baton.proto.admin.ClusterStatus;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Baton node: Raft member, controller (while leader), agent and admin API, wired together. */
public final class BatonNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonNode.class);

    private final RaftNode raft;
    private final ControllerRunner controller;
    private final NodeAgent agent;
    private final EventHub events;
    private final AuditTrail audit;
    private final Server admin;
    private final MirrorDisks mirrors;
    private final String nodeId;
    private final Topology topology;
    /** How long a clean stop waits for its groups to move: a lease, and the stop scripts' time. */
    private final Duration handOverTimeout;
    /**
     * How long a primary's Outdated(peer) may take to commit before it retries: writes wait
     * meanwhile, and without a quorum the lease rule fences the owner first.
     */
    private static final Duration REPLICA_RECORD_TIMEOUT = Duration.ofSeconds(2);
    private final StorageGuard storageGuard;
    private final DataDirCheck dataDirCheck;
    /** How a fail-stop ends the process; by default at once, without the clean stop's hand-over. */
    private final AtomicReference<IntConsumer> exit;
    private io.baton.node.membership.MembershipChange membershipChange;
    private io.baton.node.membership.MembershipFollower membershipFollower;
    private ConfigFollower configFollower;
    private ConfigApply configApply;
    /** The node's TLS, whose certificate files are looked at for a renewal; null without TLS. */
    private NodeTls tls;
    /** The HTTP port, when the node's entry has {@code http}. */
    private HttpPort http;
    /** Delivers events to the cluster's alerts while this node leads; null without alerts. */
    private AlertDispatcher alerts;

    private BatonNode(RaftNode raft, ControllerRunner controller, NodeAgent agent, EventHub events, AuditTrail audit,
                      Server admin,
                      MirrorDisks mirrors, String nodeId, Topology topology, Duration handOverTimeout,
                      StorageGuard storageGuard, DataDirCheck dataDirCheck, AtomicReference<IntConsumer> exit) {
        this.storageGuard = storageGuard;
        this.dataDirCheck = dataDirCheck;
        this.exit = exit;
        this.mirrors = mirrors;
        this.nodeId = nodeId;
        this.topology = topology;
        this.handOverTimeout = handOverTimeout;
        this.raft = raft;
        this.controller = controller;
        this.agent = agent;
        this.events = events;
        this.audit = audit;
        this.admin = admin;
    }

    public static Topology topology(ClusterConfig config) {
        return new Topology(
                config.nodes().stream().map(n -> new Topology.NodeSpec(n.id(), n.role() == Role.WITNESS)).toList(),
                // A group with a mirror disk is granted only to UpToDate replicas.
                config.groups().stream().map(g -> new Topology.GroupSpec(g.name(), g.nodes(), g.autostart(),
                        g.hasMirrorDisk(), policy(g))).toList());
    }

    /**
     * The group's recovery policy as the core and controller apply it. A node's failure record lasts
     * as long as the longest restart window of the group's monitors (Pacemaker's failure-timeout),
     * the default window when none has a monitor.
     */
    static GroupPolicy policy(GroupConfig g) {
        long failureTimeoutMs = g.resources().stream()
                .filter(r -> r instanceof ExecResourceConfig e && e.restart() != null)
                .mapToLong(r -> ((ExecResourceConfig) r).restart().within().toMillis())
                .max().orElse(RestartPolicy.DEFAULT.within().toMillis());
        GroupPolicy.OnFailure onFailure = switch (g.onFailure()) {
            case FAILOVER -> GroupPolicy.OnFailure.FAILOVER;
            case STOP -> GroupPolicy.OnFailure.STOP;
            case KEEP -> GroupPolicy.OnFailure.KEEP;
        };
        GroupPolicy.Failback failback = switch (g.failback()) {
            case NEVER -> GroupPolicy.Failback.NEVER;
            case AUTO -> GroupPolicy.Failback.AUTO;
        };
        return new GroupPolicy(onFailure, g.failoverLimit().max(), g.failoverLimit().within().toMillis(),
                failureTimeoutMs, failback, g.failbackAfter().toMillis());
    }

    public static Timing timing(ClusterConfig config) {
        return new Timing(config.lease().toNanos(), config.heartbeatInterval().toNanos(), config.maxClockDrift(),
                config.takeoverMargin().toNanos());
    }

    /**
     * Starts node {@code nodeId} of {@code config}, keeping its Raft log under {@code dataDir}.
     *
     * @throws StartFailure for a mistake the operator can fix (a port in use, a data directory of
     *                      another cluster or node), found before anything starts
     */
    public static BatonNode start(ClusterConfig config, String nodeId, Path dataDir) throws IOException, StartFailure {
        NodeConfig self = config.node(nodeId).orElseThrow(() -> new IllegalArgumentException("unknown node " + nodeId));
        MonotonicClock clock = MonotonicClock.SYSTEM;
        LongSupplier wall = WallClock.fromSystemProperties();
        Topology topology = topology(config);
        Timing timing = timing(config);

        Optional<NodeTls> tls;
        MirrorTls mirrorTls;
        if (config.insecure()) {
            log.warn("running without TLS (cluster.insecure: true): anyone who can reach the raft, admin or mirror"
                    + " port can change who owns a group or read the mirror disk's data; see docs/security.md");
        }
        try {
            tls = NodeTls.load(config, nodeId, Instant.now());
            mirrorTls = tls.isPresent() ? tls.get().mirror() : null;
        } catch (CertificateException e) {
            throw new StartFailure(e.getMessage());
        }
        TransportLogThrottle.install();
        ListenCheck.canListen("raft", self.raft());
        ListenCheck.canListen("admin", self.admin());
        if (self.http() != null) {
            ListenCheck.canListen("http", self.http());
        }
        Path raftDir = DataDirectory.claim(dataDir, config.name(), nodeId);
        // With TLS the admin API names every operator, so an operator's command without a caller is refused.
        BatonStateMachine stateMachine = new BatonStateMachine(new Core(topology, tls.isPresent()));
        List<RaftNode.Peer> peers = config.nodes().stream()
                .map(n -> new RaftNode.Peer(n.id(), n.raft().host(), n.raft().port(), n.role() == Role.WITNESS)).toList();
        RaftNode.Settings plain = new RaftNode.Settings(config.electionTimeout(), config.lease(), 2000);
        RaftNode.Settings settings = tls.isPresent() ? plain.withTls(tls.get().raft()) : plain;
        RaftNode raft = new RaftNode(config.name(), nodeId, peers, raftDir, settings, stateMachine);

        ControllerRunner controller = new ControllerRunner(raft, new Controller(topology, timing), clock, wall,
                Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(10), timing.heartbeatNanos() / 5)));
        AtomicReference<NodeAgent> agentRef = new AtomicReference<>();
        MirrorDisks mirrors;
        try {
            mirrors = MirrorDisks.open(config, self, dataDir, (group, epoch) -> new RaftReplicaStatePort(group,
                    nodeId, epoch, raft::submit, raft.stateMachine()::read, REPLICA_RECORD_TIMEOUT, wall),
                    mirrorTls);
        } catch (IOException e) {
            raft.close();
            throw e;
        }
        List<GroupRuntime> groups = ResourceFactory.groupsFor(config, self,
                () -> agentRef.get() != null && agentRef.get().leaseLive(), mirrors);
        OwnerLease lease = new OwnerLease(config.lease().toNanos(), config.stopBudget().toNanos());
        NodeAgent agent = new NodeAgent(nodeId, LocalState.of(raft.stateMachine()), HeartbeatSender.withReads(raft::submitHeartbeat, raft::confirmHeartbeat), groups, lease, clock, wall,
                config.heartbeatInterval(), config.lease());
        agentRef.set(agent);
        tls.ifPresent(t -> agent.reportCertificates(() -> t.reloadable().expiry()));
        agent.reportConfigHash(config.fingerprint());
        EventHub events = new EventHub(stateMachine);

        // A membership an operator changed: replicas to open, a replaced peer to reconnect to.
        java.util.function.Supplier<Optional<io.baton.proto.MembershipProto>> appliedMembership =
                () -> stateMachine.read(s -> s.membership());
        // An applied configuration (batonctl config apply): the groups this node runs, and how.
        AppliedConfigs appliedConfigs = new AppliedConfigs(config);
        AgentGroups agentGroups = new AgentGroups(self, agent, mirrors, config.groups());
        io.baton.node.membership.MembershipFollower membershipFollower = new io.baton.node.membership.MembershipFollower(
                appliedMembership, m -> {
                    raft.knowMembers(raftPeers(m));
                    mirrors.follow(m);
                    agentGroups.reconcile(appliedConfigs.runningOrFile(stateMachine.read(s -> s.appliedConfig())), m);
                });
        stateMachine.addListener(membershipFollower);
        ConfigFollower configFollower = new ConfigFollower(
                () -> stateMachine.read(s -> new ConfigFollower.Replicated(s.appliedConfig(), s.membership())),
                appliedConfigs, agentGroups, agent);
        stateMachine.addListener(configFollower);
        mirrors.membershipFrom(appliedMembership);
        stateMachine.addListener(controller);
        stateMachine.addListener(agent);
        stateMachine.addListener(events);
        // Every committed event, also in DATA_DIR/events.jsonl: history beyond the state's 500 (issue 10).
        AuditTrail audit = AuditTrail.start(stateMachine, dataDir);
        stateMachine.addListener(audit);
        // A storage failure is a crash (issue 9): fence, one line, exit for systemd to restart the node.
        AtomicReference<IntConsumer> exit = new AtomicReference<>(status -> Runtime.getRuntime().halt(status));
        StorageGuard storageGuard = new StorageGuard(agent::fenceNow, line -> log.error("{}", line),
                status -> exit.get().accept(status));
        stateMachine.onStorageFailure(storageGuard);

        // Status is one leader query per heartbeat interval, shared by every caller (issue 9, finding 2).
        StatusCache statusCache = new StatusCache(() -> status(appliedConfigs, topology, raft, nodeId),
                config.heartbeatInterval().toNanos(), System::nanoTime);
        ConsoleSessions consoleSessions = ConsoleSessions.system();
        AdminService adminService = new AdminService(raft, statusCache::get, events, wall, self.http() == null ? null
                : new SignInLinks(nodeId, self.http().toString(), tls.isPresent(), consoleSessions));
        io.baton.node.membership.MembershipChange membershipChange = new io.baton.node.membership.MembershipChange(
                raft, config, wall, StatusBuilder.contactWindow(config));
        adminService.membershipChanges(membershipChange);
        ConfigApply configApply = new ConfigApply(raft, appliedConfigs, wall);
        adminService.configApplies(configApply);
        WebConsole console = new WebConsole(nodeId, config.name(), tls.isPresent(), consoleSessions,
                WebConsole.backend(adminService, statusCache::get));
        InetSocketAddress adminAddress = new InetSocketAddress(self.admin().host(), self.admin().port());
        Server admin = tls.isPresent()
                ? AdminService.server(adminAddress, adminService, AdminLimits.DEFAULT, tls.get().adminServer())
                : AdminService.server(adminAddress, adminService);
        try {
            raft.start();
        } catch (IOException e) {
            raft.close();
            mirrors.close();
            audit.close();
            throw new IOException("cannot start raft " + self.raft() + ": " + e.getMessage(), e);
        }
        try {
            admin.start();
        } catch (IOException e) {
            raft.close();
            mirrors.close();
            audit.close();
            throw ListenCheck.cannotListen("admin", self.admin(), e);
        }
        HttpPort http = null;
        if (self.http() != null) {
            try {
                NodeMetrics metrics = new NodeMetrics(() -> statusNow(statusCache),
                        () -> new LocalView(nodeId, agent.leaseRemainingNanos(), agent.probeChecks()));
                http = HttpPort.start(new InetSocketAddress(self.http().host(), self.http().port()),
                        tls.isPresent() ? Optional.of(tls.get().httpServer()) : Optional.empty(), metrics,
                        () -> readiness(statusCache), console);
            } catch (IOException | CertificateException e) {
                admin.shutdownNow();
                raft.close();
                mirrors.close();
                audit.close();
                if (e instanceof CertificateException) {
                    throw new StartFailure(e.getMessage());
                }
                throw ListenCheck.cannotListen("http", self.http(), (IOException) e);
            }
        }
        AlertDispatcher alerts = null;
        if (!config.alerts().isEmpty()) {
            alerts = new AlertDispatcher(config.alerts(), new RaftAlertCluster(raft, wall),
                    new AlertSenders(config.name()), System::nanoTime);
            stateMachine.addListener(alerts);
            events.subscribe(alerts.wakeOnEvent());
        }
        agent.start();
        membershipFollower.start();
        configFollower.start();
        if (alerts != null) {
            alerts.start();
        }
        DataDirCheck dataDirCheck = DataDirCheck.start(raftDir, stateMachine::storageFailed);
        log.info("node {} started: raft {}, admin {}{}, data {}", nodeId, self.raft(), self.admin(),
                self.http() == null ? "" : ", http " + self.http(), dataDir);
        HostTuning.tcpRtoAdvice(HostTuning.TCP_RTO_MAX_MS).ifPresent(advice -> log.warn("host tuning: {}", advice));
        BatonNode node = new BatonNode(raft, controller, agent, events, audit, admin, mirrors, nodeId, topology,
                config.lease().plusSeconds(10), storageGuard, dataDirCheck, exit);
        node.http = http;
        node.alerts = alerts;
        node.membershipChange = membershipChange;
        node.membershipFollower = membershipFollower;
        node.configFollower = configFollower;
        node.configApply = configApply;
        tls.ifPresent(t -> {
            node.tls = t;
            t.startReloading();
        });
        return node;
    }

    /** The Raft peers of a membership. */
    static List<RaftNode.Peer> raftPeers(io.baton.proto.MembershipProto m) {
        return m.getNodesList().stream().map(n -> {
            io.baton.node.config.HostPort raft = io.baton.node.config.HostPort.parse(n.getRaft());
            return new RaftNode.Peer(n.getId(), raft.host(), raft.port(), n.getWitness());
        }).toList();
    }

    /**
     * Sets how a fail-stop ends the process (the exit status is {@value StorageGuard#EXIT_STATUS}):
     * the daemon's main returns it, and {@link #close()} then does nothing more.
     */
    public void onFailStop(IntConsumer exitWith) {
        exit.set(exitWith);
    }

    /** Whether this node stopped because its storage failed. */
    public boolean failStopped() {
        return storageGuard.acted();
    }

    /** Stops this node as if it had crashed (see {@link StorageGuard}): its storage failed. */
    public void failStop(io.baton.coordinator.ratis.StorageFailure failure) {
        storageGuard.accept(failure);
    }

    /** The cached status, for a scrape: a leader's answer, or this node's own replica with a warning. */
    private static ClusterStatus statusNow(StatusCache cache) {
        try {
            return cache.get().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no status: " + e);
        }
    }

    /** Ready: a Raft leader answered this node's last status query. */
    private static HttpPort.Readiness readiness(StatusCache cache) {
        try {
            ClusterStatus s = statusNow(cache);
            return s.getWarning().isEmpty()
                    ? new HttpPort.Readiness(true, "ready: Raft leader " + s.getLeader() + ", term " + s.getRaft().getTerm())
                    : new HttpPort.Readiness(false, "not ready: " + s.getWarning());
        } catch (RuntimeException e) {
            return new HttpPort.Readiness(false, "not ready: " + e.getMessage());
        }
    }

    /**
     * Status as the leader sees it, so that a node that is catching up (just restarted, or cut off)
     * does not show an old owner; its own replica, with a warning, when no leader answers.
     */
    private static CompletableFuture<ClusterStatus> status(AppliedConfigs configs, Topology topology, RaftNode raft,
                                                           String nodeId) {
        String leader = raft.leaderId().orElse("");
        // Short: a leader answers in milliseconds; while one is being elected, the local replica will do.
        return raft.queryLeader(Duration.ofMillis(200)).handle((fromLeader, error) -> {
            if (error == null) {
                try {
                    ClusterState state = StateCodec.fromProto(fromLeader.state(), topology);
                    return StatusBuilder.build(configs.runningOrFile(state.appliedConfig()), state, nodeId,
                            fromLeader.leader(), fromLeader.raft());
                } catch (RuntimeException e) {
                    // fall through to the local replica
                }
            }
            ClusterState own = raft.stateMachine().copyState();
            return StatusBuilder.build(configs.runningOrFile(own.appliedConfig()), own, nodeId, leader).toBuilder()
                    .setWarning("no leader answered: this is " + nodeId + "'s own replica and may be out of date")
                    .build();
        });
    }

    /**
     * A clean stop: the groups this node owns move to another member first (see {@link HandOver}),
     * then whatever is left goes down (probe ports first), then the node leaves the cluster.
     *
     * <p>Order: everything that uses Raft stops before it (hand-over, agent, mirrors, admin API,
     * controller); Raft closes, applying what is committed; only then what the state machine's
     * listeners use (the event hub). Closed the other way, an entry applied in between made the
     * event hub throw out of the state machine, and once Ratis's apply thread spun at 100 % CPU
     * with this close waiting for it (issue 9).
     */
    @Override
    public void close() {
        dataDirCheck.close();
        if (membershipChange != null) {
            membershipChange.close();
        }
        if (configFollower != null) {
            configFollower.close();
        }
        if (configApply != null) {
            configApply.close();
        }
        if (membershipFollower != null) {
            membershipFollower.close();
        }
        if (http != null) {
            http.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (failStopped()) {
            return; // fenced already; nothing can be handed over or written any more
        }
        storageGuard.disarm();
        log.info("stopping: handing owned groups over, deactivating resources, then leaving the cluster");
        HandOver.run(nodeId, topology, raft, handOverTimeout);
        agent.close();
        agent.stopAll();
        mirrors.close();
        admin.shutdown();
        controller.close();
        try {
            raft.close();
        } catch (IOException | RuntimeException e) {
            log.warn("raft close: {}", e.toString());
        } finally {
            events.close(); // after Raft: no listener is told of an entry any more
            audit.close(); // writes what Raft applied up to its close
        }
        try {
            admin.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopped");
    }
}
