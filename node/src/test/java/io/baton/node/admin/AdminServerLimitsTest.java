package io.baton.node.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.net.ConnectionLimits;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admin server's limits, on loopback with small limits: calls, connections, first byte. */
class AdminServerLimitsTest {
    private static final AdminLimits SMALL = new AdminLimits(
            new ConnectionLimits(6, 3, Duration.ofMillis(300), Duration.ofMinutes(1)), 2, 8, 64 * 1024);

    @Test
    void callsOverTheLimitAreRefusedAtOnceWithAClearReason() throws Exception {
        CompletableFuture<ClusterStatus> never = new CompletableFuture<>();
        AdminService service = new AdminService(null, () -> never, null, () -> 0L);
        Server server = AdminService.server(new InetSocketAddress("127.0.0.1", 0), service, SMALL).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            var stub = BatonAdminGrpc.newStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
            ConcurrentLinkedQueue<Status> errors = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 20; i++) {
                stub.status(StatusRequest.getDefaultInstance(), new StreamObserver<>() {
                    public void onNext(ClusterStatus v) {}
                    public void onError(Throwable t) {
                        errors.add(Status.fromThrowable(t));
                    }
                    public void onCompleted() {}
                });
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> errors.size() >= 12);
            Status refusal = errors.peek();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refusal.getCode());
            assertEquals("admin server busy: 8 calls in progress (the limit); try again shortly",
                    refusal.getDescription());
            never.complete(ClusterStatus.newBuilder().setCluster("c").build());
            // The places are free again once the calls end. A place is given back when the server
            // sees its call closed, which can come just after the client has its answer, so wait.
            await().atMost(Duration.ofSeconds(5)).ignoreException(StatusRuntimeException.class).until(() ->
                    "c".equals(BatonAdminGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .status(StatusRequest.getDefaultInstance()).getCluster()));
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }

    /** Whether the server closed the connection (EOF or reset) within the time, whatever it sent first. */
    private static boolean closedByServer(Socket s, int withinMs) throws IOException {
        s.setSoTimeout(withinMs);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // gRPC's own first frame (SETTINGS) comes at once
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void connectionsOverTheLimitsAreClosedAndSilentOnesTimeOut() throws Exception {
        AdminService service = new AdminService(null,
                () -> CompletableFuture.completedFuture(ClusterStatus.getDefaultInstance()), null, () -> 0L);
        Server server = AdminService.server(new InetSocketAddress("127.0.0.1", 0), service, SMALL).start();
        List<Socket> sockets = new ArrayList<>();
        try {
            // Three from 127.0.0.2 are admitted, the fourth is closed by the server.
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 1000);
                sockets.add(s);
            }
            assertTrue(closedByServer(sockets.get(3), 1000), "the fourth connection from one address is refused");
            // A silent connection is closed after the first-byte timeout (300 ms here).
            long t0 = System.nanoTime();
            assertTrue(closedByServer(sockets.get(0), 3000), "a silent connection is closed");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            // Its place is free again: a real client gets an answer.
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
            try {
                BatonAdminGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .status(StatusRequest.getDefaultInstance());
            } finally {
                channel.shutdownNow();
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            server.shutdownNow();
        }
    }
}
