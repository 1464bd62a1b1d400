package io.baton.node.admin;

import io.baton.coordinator.ratis.RaftNode;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import io.baton.proto.ClearFailures;
import io.baton.proto.ForceActivate;
import io.baton.proto.MoveGroup;
import io.baton.proto.SetMaintenance;
import io.baton.proto.SetNodeStandby;
import io.baton.proto.StartGroup;
import io.baton.proto.StopGroup;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClearRequest;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.NodeStandbyRequest;
import io.baton.proto.admin.OpReply;
import io.baton.proto.admin.StartRequest;
import io.baton.proto.admin.StatusRequest;
import io.baton.proto.admin.StopRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The admin API. Any node answers: status comes from this node's replica, writes are committed
 * through Raft (the client follows the leader). Refusals map to gRPC codes with the core's reason.
 *
 * <p>Limits: a request is at most {@link #MAX_REQUEST_BYTES} (gRPC refuses a larger one with
 * RESOURCE_EXHAUSTED before it is read), and every group or node name in it must pass
 * {@link NameRule} (INVALID_ARGUMENT otherwise); both are checked before anything is proposed.
 * The server's connection and call limits are {@link AdminLimits}; {@code Status} answers from a
 * shared snapshot ({@link StatusCache}), so a flood of it costs the leader one query per heartbeat.
 */
public final class AdminService extends BatonAdminGrpc.BatonAdminImplBase {
    /** The largest request the admin server reads. Requests are a few names: well under 1 KiB. */
    public static final int MAX_REQUEST_BYTES = AdminLimits.DEFAULT.maxRequestBytes();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    /** How an UNAVAILABLE answer for a write that could not be committed starts; batonctl relies on it. */
    public static final String NO_QUORUM = "no quorum";

    private final RaftNode raft;
    private final Supplier<CompletableFuture<ClusterStatus>> status;
    private final EventHub events;
    private final LongSupplier wallClockMs;
    private final ConsoleLinks console;
    /** Carries out node add, remove and replace; null: this service refuses them (tests that need none). */
    private volatile io.baton.node.membership.MembershipChange membership;

    /** {@code status} never blocks: it answers a snapshot, or the fetch that will bring one. */
    public AdminService(RaftNode raft, Supplier<CompletableFuture<ClusterStatus>> status, EventHub events,
                        LongSupplier wallClockMs) {
        this(raft, status, events, wallClockMs, null);
    }

    /** As above, with sign-in links to this node's web console ({@code null}: the node has no HTTP port). */
    public AdminService(RaftNode raft, Supplier<CompletableFuture<ClusterStatus>> status, EventHub events,
                        LongSupplier wallClockMs, ConsoleLinks console) {
        this.raft = raft;
        this.status = status;
        this.events = events;
        this.wallClockMs = wallClockMs;
        this.console = console;
    }

    /**
     * Makes the write call {@code method} (Move, Start, Stop or Maintenance) in this process as
     * {@code caller}, under the admin port's rules: refused as PERMISSION_DENIED when the caller's role
     * does not allow it, the caller recorded in the audit trail. {@code caller} is null only on a
     * cluster without TLS, where the admin port lets anyone make any call. For the web console.
     */
    public CompletableFuture<OpReply> callAs(AdminCaller caller, String method, com.google.protobuf.Message request) {
        if (caller != null) {
            String problem = AdminPermissions.problem(caller, method);
            if (problem != null) {
                return CompletableFuture.failedFuture(Status.PERMISSION_DENIED.withDescription(problem).asException());
            }
        }
        CompletableFuture<OpReply> answer = new CompletableFuture<>();
        StreamObserver<OpReply> observer = new StreamObserver<>() {
            @Override
            public void onNext(OpReply reply) {
                answer.complete(reply);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(new IllegalStateException("no reply"));
            }
        };
        Runnable call = switch (method) {
            case "Move" -> () -> move((MoveRequest) request, observer);
            case "Start" -> () -> start((StartRequest) request, observer);
            case "Stop" -> () -> stop((StopRequest) request, observer);
            case "Maintenance" -> () -> maintenance((MaintenanceRequest) request, observer);
            default -> throw new IllegalArgumentException("not a console call: " + method);
        };
        io.grpc.Context.current().withValue(AdminAuth.CALLER, caller).run(call);
        return answer;
    }

    /** Lets this service carry out node add, remove and replace. */
    public void membershipChanges(io.baton.node.membership.MembershipChange membership) {
        this.membership = membership;
    }

    @Override
    public void nodeAdd(io.baton.proto.admin.NodeAddRequest request, StreamObserver<OpReply> response) {
        changeMembership(response, () -> membership.add(io.baton.node.membership.Members.fromRequest(request.getNode()), caller()));
    }

    @Override
    public void nodeRemove(io.baton.proto.admin.NodeRemoveRequest request, StreamObserver<OpReply> response) {
        if (request.getNode().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("node remove needs a node").asException());
            return;
        }
        if (badNames(response, "node", request.getNode())) {
            return;
        }
        changeMembership(response, () -> membership.remove(request.getNode(), caller()));
    }

    @Override
    public void nodeReplace(io.baton.proto.admin.NodeReplaceRequest request, StreamObserver<OpReply> response) {
        if (request.getOld().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("node replace needs the node to replace").asException());
            return;
        }
        if (badNames(response, "node", request.getOld())) {
            return;
        }
        changeMembership(response, () -> membership.replace(request.getOld(),
                io.baton.node.membership.Members.fromRequest(request.getWith()), caller()));
    }

    /** Lets this service carry out config apply. */
    public void configApplies(io.baton.node.configchange.ConfigApply configApply) {
        this.configApply = configApply;
    }

    private io.baton.node.configchange.ConfigApply configApply;

    @Override
    public void configApply(io.baton.proto.admin.ConfigApplyRequest request, StreamObserver<OpReply> response) {
        if (configApply == null) {
            response.onError(Status.UNIMPLEMENTED.withDescription("this node does not apply configurations").asException());
            return;
        }
        String name = request.getFileName().isEmpty() ? "cluster file" : request.getFileName();
        answer(configApply.apply(request.getText(), name, request.getDryRun(), caller()), response,
                cause -> cause instanceof io.baton.node.configchange.ConfigApply.Refused r && r.invalid()
                        ? Status.INVALID_ARGUMENT : Status.FAILED_PRECONDITION);
    }

    /**
     * Answers with what {@code done} completes with, or its failure's message under the status
     * {@code statusOf} gives the failure's cause (a change carried out step by step on its own thread).
     */
    private static void answer(CompletableFuture<String> done, StreamObserver<OpReply> response,
                               java.util.function.Function<Throwable, Status> statusOf) {
        done.whenComplete((message, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                response.onError(statusOf.apply(cause).withDescription(cause.getMessage()).asException());
                return;
            }
            response.onNext(OpReply.newBuilder().setMessage(message).build());
            response.onCompleted();
        });
    }

    private interface MembershipCall {
        CompletableFuture<String> start() throws io.baton.node.membership.MembershipPlan.Refused;
    }

    /** A refusal is FAILED_PRECONDITION with its reason; the change's steps run on their own thread. */
    private void changeMembership(StreamObserver<OpReply> response, MembershipCall call) {
        if (membership == null) {
            response.onError(Status.UNIMPLEMENTED.withDescription("this node does not change the membership").asException());
            return;
        }
        CompletableFuture<String> done;
        try {
            done = call.start();
        } catch (io.baton.node.membership.MembershipPlan.Refused e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
            return;
        }
        answer(done, response, cause -> Status.FAILED_PRECONDITION);
    }

    private static io.baton.proto.Caller caller() {
        AdminCaller caller = AdminAuth.CALLER.get();
        return caller == null ? null : caller.toProto();
    }

    /** The recent events, newest last, for the web console. */
    public java.util.List<Event> recentEvents(int count) {
        return events.recent(0, count);
    }

    @Override
    public void consoleLogin(io.baton.proto.admin.ConsoleLoginRequest request,
                             StreamObserver<io.baton.proto.admin.ConsoleLoginReply> response) {
        if (console == null) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("this node has no web console: give its entry"
                    + " in the cluster file an http: HOST:PORT (docs/console.md)").asException());
            return;
        }
        response.onNext(console.link(AdminAuth.CALLER.get()));
        response.onCompleted();
    }

    /** The admin gRPC server for {@code service} on {@code address}, with the default limits; not started. */
    public static Server server(InetSocketAddress address, AdminService service) {
        return server(address, service, AdminLimits.DEFAULT);
    }

    /** The admin gRPC server for {@code service} on {@code address}, with {@code limits}; not started. */
    public static Server server(InetSocketAddress address, AdminService service, AdminLimits limits) {
        return AdminServer.build(address, service, limits, null);
    }

    /**
     * The admin gRPC server with TLS: every caller presents a certificate of the cluster's CA, and
     * its role decides what it may call ({@link AdminPermissions}); not started.
     */
    public static Server server(InetSocketAddress address, AdminService service, AdminLimits limits,
                                ServerCredentials tls) {
        return AdminServer.build(address, service, limits, tls);
    }

    /** Refuses the request when a name in it breaks {@link NameRule}; true when refused. */
    private static boolean badNames(StreamObserver<?> response, String... labelsAndValues) {
        String problem = NameRule.problem(labelsAndValues);
        if (problem == null) {
            return false;
        }
        response.onError(Status.INVALID_ARGUMENT.withDescription(problem).asException());
        return true;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<ClusterStatus> response) {
        status.get().whenComplete((answer, error) -> {
            if (error != null) {
                response.onError(Status.UNAVAILABLE.withDescription("status: " + error.getMessage()).asException());
                return;
            }
            response.onNext(answer);
            response.onCompleted();
        });
    }

    @Override
    public void move(MoveRequest request, StreamObserver<OpReply> response) {
        if (request.getGroup().isEmpty() || request.getTo().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("move needs a group and a target node").asException());
            return;
        }
        if (badNames(response, "group", request.getGroup(), "node", request.getTo())) {
            return;
        }
        write(Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(request.getGroup()).setTo(request.getTo())),
                response);
    }

    @Override
    public void start(StartRequest request, StreamObserver<OpReply> response) {
        if (request.getGroup().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("start needs a group").asException());
            return;
        }
        if (badNames(response, "group", request.getGroup(), "node", request.getOn())) {
            return;
        }
        write(Command.newBuilder().setStart(StartGroup.newBuilder().setGroup(request.getGroup()).setOn(request.getOn())),
                response);
    }

    @Override
    public void stop(StopRequest request, StreamObserver<OpReply> response) {
        if (request.getGroup().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("stop needs a group").asException());
            return;
        }
        if (badNames(response, "group", request.getGroup())) {
            return;
        }
        write(Command.newBuilder().setStop(StopGroup.newBuilder().setGroup(request.getGroup())), response);
    }

    @Override
    public void forceActivate(ForceActivateRequest request, StreamObserver<OpReply> response) {
        if (request.getGroup().isEmpty() || request.getOn().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("force-activate needs a group and a node").asException());
            return;
        }
        if (badNames(response, "group", request.getGroup(), "node", request.getOn())) {
            return;
        }
        if (!request.getAcceptDataLoss()) {
            // Nothing is proposed: forcing an Outdated replica loses writes, so the caller must say so.
            response.onError(Status.INVALID_ARGUMENT.withDescription("force-activate of " + request.getGroup()
                    + " on " + request.getOn() + " loses the writes its replica lacks; add --accept-data-loss"
                    + " (accept_data_loss=true) to accept that").asException());
            return;
        }
        write(Command.newBuilder().setForceActivate(ForceActivate.newBuilder().setGroup(request.getGroup())
                .setOn(request.getOn())), response);
    }

    @Override
    public void maintenance(MaintenanceRequest request, StreamObserver<OpReply> response) {
        // An empty group is every group.
        if (badNames(response, "group", request.getGroup())) {
            return;
        }
        write(Command.newBuilder().setSetMaintenance(SetMaintenance.newBuilder().setGroup(request.getGroup())
                .setOn(request.getOn())), response);
    }

    @Override
    public void nodeStandby(NodeStandbyRequest request, StreamObserver<OpReply> response) {
        if (request.getNode().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("standby needs a node").asException());
            return;
        }
        if (badNames(response, "node", request.getNode())) {
            return;
        }
        write(Command.newBuilder().setNodeStandby(SetNodeStandby.newBuilder().setNode(request.getNode())
                .setStandby(request.getStandby())), response);
    }

    @Override
    public void clear(ClearRequest request, StreamObserver<OpReply> response) {
        if (request.getGroup().isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("clear needs a group").asException());
            return;
        }
        if (badNames(response, "group", request.getGroup(), "node", request.getNode())) {
            return;
        }
        write(Command.newBuilder().setClearFailures(ClearFailures.newBuilder().setGroup(request.getGroup())
                .setNode(request.getNode())), response);
    }

    private void write(Command.Builder command, StreamObserver<OpReply> response) {
        command.setWallTimeMs(wallClockMs.getAsLong());
        AdminCaller caller = AdminAuth.CALLER.get();
        if (caller != null) {
            command.setCaller(caller.toProto());
        }
        raft.submit(command.build(), WRITE_TIMEOUT).whenComplete((result, error) -> {
            if (error != null) {
                response.onError(Status.UNAVAILABLE.withDescription(
                        NO_QUORUM + ": the command could not be committed within " + WRITE_TIMEOUT.toSeconds()
                                + " s (is a majority of nodes up and reachable?)").asException());
                return;
            }
            Status refusal = toStatus(result);
            if (refusal != null) {
                response.onError(refusal.asException());
                return;
            }
            response.onNext(OpReply.newBuilder().setMessage(result.getMessage()).setEpoch(result.getEpoch()).build());
            response.onCompleted();
        });
    }

    static Status toStatus(CommandResult result) {
        return switch (result.getCode()) {
            case RESULT_OK -> null;
            case RESULT_NOT_FOUND -> Status.NOT_FOUND.withDescription(result.getMessage());
            case RESULT_INVALID_ARGUMENT -> Status.INVALID_ARGUMENT.withDescription(result.getMessage());
            case RESULT_FAILED_PRECONDITION, RESULT_STALE -> Status.FAILED_PRECONDITION.withDescription(result.getMessage());
            case RESULT_PERMISSION_DENIED -> Status.PERMISSION_DENIED.withDescription(result.getMessage());
            case RESULT_WRITE_NEEDED, UNRECOGNIZED -> Status.INTERNAL.withDescription("unexpected result: " + result.getMessage());
        };
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<Event> response) {
        var observer = (ServerCallStreamObserver<Event>) response;
        int recent = request.getRecent() > 0 ? request.getRecent() : 20;
        Object sendLock = new Object();
        long[] lastSent = {request.getAfterSeq()};
        Runnable unsubscribe = null;
        if (request.getFollow()) {
            unsubscribe = events.subscribe(e -> {
                synchronized (sendLock) {
                    if (e.getSeq() > lastSent[0] && !observer.isCancelled()) {
                        observer.onNext(e);
                        lastSent[0] = e.getSeq();
                    }
                }
            });
            Runnable u = unsubscribe;
            observer.setOnCancelHandler(u::run);
        }
        synchronized (sendLock) {
            for (Event e : events.recent(lastSent[0], recent)) {
                if (e.getSeq() > lastSent[0]) {
                    observer.onNext(e);
                    lastSent[0] = e.getSeq();
                }
            }
        }
        if (!request.getFollow()) {
            observer.onCompleted();
        }
    }
}
