package io.baton.node.cli;

import io.baton.proto.Event;
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
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** A scriptable BatonAdmin served by a real gRPC server on 127.0.0.1 (unit tests of the CLI only). */
final class FakeAdmin extends BatonAdminGrpc.BatonAdminImplBase implements AutoCloseable {

    /** What Status serves now; {@link #upcoming} entries are served first, one per call, and then stay. */
    volatile ClusterStatus status = ClusterStatus.getDefaultInstance();
    final ConcurrentLinkedDeque<ClusterStatus> upcoming = new ConcurrentLinkedDeque<>();
    /** Thrown by every call when set. */
    volatile StatusRuntimeException failAll;
    /** When true, unary calls never answer (to provoke DEADLINE_EXCEEDED). */
    volatile boolean silent;

    volatile Function<MoveRequest, OpReply> onMove = r -> reply("moving " + r.getGroup() + " to " + r.getTo(), 7);
    volatile Function<StartRequest, OpReply> onStart = r -> reply("starting " + r.getGroup(), 3);
    volatile Function<StopRequest, OpReply> onStop = r -> reply("stopping " + r.getGroup(), 3);
    volatile Function<ForceActivateRequest, OpReply> onForceActivate =
            r -> reply("force-activated " + r.getGroup() + " on " + r.getOn() + " at epoch 8", 8);
    volatile Function<MaintenanceRequest, OpReply> onMaintenance =
            r -> reply("maintenance " + (r.getOn() ? "on" : "off") + " for " + (r.getGroup().isEmpty() ? "web, db" : r.getGroup()), 0);
    volatile Function<NodeStandbyRequest, OpReply> onNodeStandby = r -> reply(r.getStandby()
            ? r.getNode() + " is in standby; moving web to server1" : r.getNode() + " is online: eligible for groups again", 0);
    volatile Function<ClearRequest, OpReply> onClear = r -> reply("cleared the failures of " + r.getGroup()
            + (r.getNode().isEmpty() ? "" : " on " + r.getNode()) + "; it will start on the first eligible node", 4);
    volatile List<Event> recentEvents = List.of();

    final List<Object> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger statusCalls = new AtomicInteger();
    /** The open follow stream, for the test to push events into and complete. */
    final AtomicReference<StreamObserver<Event>> follower = new AtomicReference<>();

    private Server server;

    static OpReply reply(String message, long epoch) {
        return OpReply.newBuilder().setMessage(message).setEpoch(epoch).build();
    }

    FakeAdmin start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
        return this;
    }

    int port() {
        return server.getPort();
    }

    String endpoint() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void status(StatusRequest request, StreamObserver<ClusterStatus> response) {
        statusCalls.incrementAndGet();
        if (refused(response)) {
            return;
        }
        ClusterStatus next = upcoming.poll();
        if (next != null) {
            status = next;
        }
        response.onNext(status);
        response.onCompleted();
    }

    @Override
    public void move(MoveRequest request, StreamObserver<OpReply> response) {
        unary(request, onMove, response);
    }

    @Override
    public void start(StartRequest request, StreamObserver<OpReply> response) {
        unary(request, onStart, response);
    }

    @Override
    public void stop(StopRequest request, StreamObserver<OpReply> response) {
        unary(request, onStop, response);
    }

    @Override
    public void forceActivate(ForceActivateRequest request, StreamObserver<OpReply> response) {
        unary(request, onForceActivate, response);
    }

    @Override
    public void maintenance(MaintenanceRequest request, StreamObserver<OpReply> response) {
        unary(request, onMaintenance, response);
    }

    @Override
    public void nodeStandby(NodeStandbyRequest request, StreamObserver<OpReply> response) {
        unary(request, onNodeStandby, response);
    }

    @Override
    public void clear(ClearRequest request, StreamObserver<OpReply> response) {
        unary(request, onClear, response);
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<Event> response) {
        requests.add(request);
        if (refused(response)) {
            return;
        }
        List<Event> recent = new ArrayList<>(recentEvents);
        recent.subList(0, Math.max(0, recent.size() - request.getRecent())).clear();
        recent.forEach(response::onNext);
        if (request.getFollow()) {
            follower.set(response);
        } else {
            response.onCompleted();
        }
    }

    private <Q, A> void unary(Q request, Function<Q, A> handler, StreamObserver<A> response) {
        requests.add(request);
        if (refused(response)) {
            return;
        }
        try {
            A answer = handler.apply(request);
            response.onNext(answer);
            response.onCompleted();
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    private boolean refused(StreamObserver<?> response) {
        if (failAll != null) {
            response.onError(failAll);
            return true;
        }
        return silent;
    }
}
