package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.ClearRequest;
import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.MaintenanceRequest;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.NodeStandbyRequest;
import io.baton.proto.admin.OpReply;
import io.baton.proto.admin.StartRequest;
import io.baton.proto.admin.StopRequest;
import io.baton.proto.admin.BatonAdminGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Every name of every admin request is checked before anything is proposed (issue 9: a 600 KB group
 * name became a Raft entry that Ratis refused, and the leader stepped down each time).
 */
class AdminRequestLimitsTest {
    /** No Raft node: a request that reached it would throw. */
    private final AdminService service = new AdminService(null, () -> null, null, () -> 0L);

    private static final String HUGE = "g".repeat(600 * 1024);

    private static final class Answer implements StreamObserver<OpReply> {
        final List<OpReply> replies = new ArrayList<>();
        Throwable error;

        @Override
        public void onNext(OpReply value) {
            replies.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
        }
    }

    private static <Q> Status refusal(BiConsumer<Q, StreamObserver<OpReply>> call, Q request) {
        Answer answer = new Answer();
        call.accept(request, answer);
        assertEquals(List.of(), answer.replies);
        return assertInstanceOf(StatusException.class, answer.error).getStatus();
    }

    @Test
    void aSixHundredKilobyteGroupNameIsRefusedWithoutBeingEchoed() {
        Status s = refusal(service::move, MoveRequest.newBuilder().setGroup(HUGE).setTo("server2").build());
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertEquals("group name of 614400 bytes ('gggggggggggggggggggggggggggggggg'... (614368 more characters))"
                + " is too long; names are at most 256 bytes of printable characters", s.getDescription());
    }

    /** Through the admin server as a node builds it, on loopback: what a client really gets. */
    @Test
    void overGrpcALargeRequestIsRefusedBeforeItIsReadAndALongNameIsOneShortRefusal() throws Exception {
        Server server = AdminService.server(new InetSocketAddress("127.0.0.1", 0), service).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            BatonAdminGrpc.BatonAdminBlockingStub stub = BatonAdminGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            StatusRuntimeException tooLarge = assertThrows(StatusRuntimeException.class,
                    () -> stub.move(MoveRequest.newBuilder().setGroup(HUGE).setTo("server2").build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getStatus().getCode(), tooLarge.toString());
            assertTrue(tooLarge.getStatus().getDescription().contains("exceeds maximum size " + AdminLimits.DEFAULT.maxRequestBytes()),
                    tooLarge.getStatus().getDescription());

            // 60 KiB fits in a request: the name rule refuses it, in a few words.
            String sixtyKiB = "g".repeat(60 * 1024);
            StatusRuntimeException longName = assertThrows(StatusRuntimeException.class,
                    () -> stub.move(MoveRequest.newBuilder().setGroup(sixtyKiB).setTo("server2").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, longName.getStatus().getCode(), longName.toString());
            assertTrue(longName.getStatus().getDescription().startsWith("group name of 61440 bytes ("),
                    longName.getStatus().getDescription());
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyNameOfEveryRequestIsChecked() {
        String newline = "ser\nver2";
        String nul = "web\u0000";
        String bidi = "\u202eweb";
        String isolate = "server1\u2066";
        String longName = "n".repeat(257);
        Map<String, Status> refused = new LinkedHashMap<>();
        refused.put("move to", refusal(service::move, MoveRequest.newBuilder().setGroup("web").setTo(newline).build()));
        refused.put("start group", refusal(service::start, StartRequest.newBuilder().setGroup(nul).build()));
        refused.put("start on", refusal(service::start, StartRequest.newBuilder().setGroup("web").setOn(bidi).build()));
        refused.put("stop group", refusal(service::stop, StopRequest.newBuilder().setGroup(longName).build()));
        refused.put("force-activate group", refusal(service::forceActivate, ForceActivateRequest.newBuilder()
                .setGroup(isolate).setOn("server2").setAcceptDataLoss(true).build()));
        refused.put("force-activate on", refusal(service::forceActivate, ForceActivateRequest.newBuilder()
                .setGroup("web").setOn(longName).setAcceptDataLoss(true).build()));
        refused.put("maintenance group", refusal(service::maintenance, MaintenanceRequest.newBuilder()
                .setGroup(bidi).setOn(true).build()));
        refused.put("standby node", refusal(service::nodeStandby, NodeStandbyRequest.newBuilder()
                .setNode(newline).setStandby(true).build()));
        refused.put("clear group", refusal(service::clear, ClearRequest.newBuilder().setGroup(HUGE).build()));
        refused.put("clear node", refusal(service::clear, ClearRequest.newBuilder().setGroup("web").setNode(nul).build()));
        refused.forEach((what, s) -> {
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), what);
            String d = s.getDescription();
            assertTrue(d.endsWith("names are at most 256 bytes of printable characters"), what + ": " + d);
            assertTrue(d.length() < 300, what + ": " + d.length());
            assertFalse(d.chars().anyMatch(c -> c < 0x20 || c == 0x202e || c == 0x2066), what + ": " + d);
        });
        assertEquals("node name 'ser\\nver2' has an unprintable character (U+000A) at position 4;"
                + " names are at most 256 bytes of printable characters", refused.get("move to").getDescription());
        assertEquals("node name '\\u202Eweb' has an unprintable character (U+202E) at position 1;"
                + " names are at most 256 bytes of printable characters", refused.get("start on").getDescription());
    }
}
