package io.baton.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.proto.admin.ForceActivateRequest;
import io.baton.proto.admin.OpReply;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin API refuses a force-activate that does not accept the data loss, before anything is proposed. */
class AdminForceActivateTest {
    /** No Raft node: a refused request must not reach it (a proposal would throw). */
    private final AdminService service = new AdminService(null, () -> null, null, () -> 0L);

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

    private Status refusal(ForceActivateRequest request) {
        Answer answer = new Answer();
        service.forceActivate(request, answer);
        assertEquals(List.of(), answer.replies);
        return assertInstanceOf(StatusException.class, answer.error).getStatus();
    }

    @Test
    void withoutAcceptDataLossItIsRefusedWithTheFlagNamed() {
        Status s = refusal(ForceActivateRequest.newBuilder().setGroup("disk").setOn("server2").build());
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("--accept-data-loss"), s.getDescription());
        assertTrue(s.getDescription().contains("disk on server2 loses the writes"), s.getDescription());
    }

    @Test
    void aMissingGroupOrNodeIsRefused() {
        Status s = refusal(ForceActivateRequest.newBuilder().setOn("server2").setAcceptDataLoss(true).build());
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertEquals("force-activate needs a group and a node", s.getDescription());
    }
}
