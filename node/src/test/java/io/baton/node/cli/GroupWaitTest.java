package io.baton.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.node.cli.GroupWait.Poll;
import io.baton.node.cli.Waiter.Verdict;
import io.baton.proto.PhaseProto;
import org.junit.jupiter.api.Test;

class GroupWaitTest {

    private static Poll poll(String owner, long epoch, PhaseProto phase) {
        return new Poll(Clusters.withWeb(owner, epoch, phase), null);
    }

    @Test
    void online() {
        assertEquals(Verdict.done("web is online on server2 (epoch 8)"),
                GroupWait.online(poll("server2", 8, PhaseProto.PHASE_ONLINE), "web", "server2"));
        assertEquals(Verdict.done("web is online on server1 (epoch 7)"),
                GroupWait.online(poll("server1", 7, PhaseProto.PHASE_ONLINE), "web", null));
        assertEquals(Verdict.waiting("online on server1, epoch 7"),
                GroupWait.online(poll("server1", 7, PhaseProto.PHASE_ONLINE), "web", "server2"));
        assertEquals(Verdict.failed("web failed"),
                GroupWait.online(poll("", 7, PhaseProto.PHASE_FAILED), "web", null));
        assertEquals(Verdict.failed("unknown group 'nope'"),
                GroupWait.online(poll("", 7, PhaseProto.PHASE_OFFLINE), "nope", null));
        assertEquals(Verdict.waiting("status unavailable: no endpoint answered (x)"),
                GroupWait.online(new Poll(null, "no endpoint answered (x)"), "web", null));
    }

    @Test
    void stopped() {
        assertEquals(Verdict.done("web is stopped"),
                GroupWait.stopped(poll("", 7, PhaseProto.PHASE_OFFLINE), "web"));
        assertEquals(Verdict.waiting("releasing on server1, epoch 7"),
                GroupWait.stopped(poll("server1", 7, PhaseProto.PHASE_RELEASING), "web"));
    }
}
