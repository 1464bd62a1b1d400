package io.baton.coordinator.ratis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.ratis.InProcessCluster.Member;
import io.baton.proto.Command;
import io.baton.proto.MoveGroup;
import io.baton.proto.ResultCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oversized requests on the Raft port (issue 9): a 600 KB command used to reach the log, which
 * refused it ("exceeds the max buffer limit of 524288"), and the leader stepped down every time.
 * Now it is refused before it is appended, and the leader stays.
 */
class RaftRequestLimitsTest {
    /**
     * Long enough that load on the test machine does not cost the leader its term by itself (with
     * 300 ms it did); a step-down is seen at once, as the leader is no longer ready.
     */
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    Path dir;
    private InProcessCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Command move(String group) {
        return InProcessCluster.stamped(Command.newBuilder().setMove(MoveGroup.newBuilder().setGroup(group).setTo("server2")));
    }

    /** A client of the Raft port that is not a member, as anyone who can reach the port could run. */
    private RaftClient outsider() {
        return outsider(RetryPolicies.retryUpToMaximumCountWithFixedSleep(5, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
    }

    private RaftClient outsider(RetryPolicy retry) {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return RaftClient.newBuilder().setRaftGroup(cluster.raftGroup()).setProperties(p).setRetryPolicy(retry)
                .setLeaderId(RaftPeerId.valueOf("witness")).build();
    }

    /** The witness, once it leads: it has the highest priority, so leadership settles there. */
    private Member settledLeader() {
        return await("the witness leads").atMost(InProcessCluster.ELECTION_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.readyLeader().filter(m -> m.id().equals("witness")), java.util.Optional::isPresent)
                .orElseThrow();
    }

    /** The leader and its term stay the same for a while (a step-down would start an election). */
    private void assertLeaderStays(Member leader, long term) {
        await("the leader keeps its term").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> leader.raft().isLeaderReady() && leader.raft().currentTerm() == term);
    }

    @Test
    void anOversizedCommandFromAnotherClientIsRefusedAndTheLeaderStays() throws Exception {
        cluster = InProcessCluster.start(new InProcessCluster(dir, 2000, ELECTION_TIMEOUT));
        Member leader = settledLeader();
        long term = leader.raft().currentTerm();
        Command huge = move("g".repeat(600 * 1024));
        try (RaftClient client = outsider()) {
            for (int i = 0; i < 3; i++) {
                IOException refused = assertThrows(IOException.class,
                        () -> client.io().send(Message.valueOf(ByteString.copyFrom(huge.toByteArray()))));
                assertTrue(String.valueOf(refused.getMessage()).contains("is over the limit of 262144 bytes"),
                        refused.toString());
            }
            RaftClientReply small = client.io().send(Message.valueOf(ByteString.copyFrom(move("web").toByteArray())));
            assertTrue(small.isSuccess(), small.toString());
        }
        assertLeaderStays(leader, term);
    }

    /** Bigger than the Raft port's gRPC limit: refused by gRPC before Ratis reads (and buffers) it. */
    @Test
    void aRequestOverTheRaftPortsMessageLimitIsNotRead() throws Exception {
        cluster = InProcessCluster.start(new InProcessCluster(dir, 2000, ELECTION_TIMEOUT));
        Member leader = settledLeader();
        long term = leader.raft().currentTerm();
        byte[] threeMiB = new byte[3 * 1024 * 1024];
        try (RaftClient client = outsider(RetryPolicies.noRetry())) {
            IOException refused = assertThrows(IOException.class,
                    () -> client.io().send(Message.valueOf(ByteString.copyFrom(threeMiB))));
            StringBuilder chain = new StringBuilder();
            for (Throwable t = refused; t != null; t = t.getCause()) {
                chain.append(t).append('\n');
            }
            assertTrue(chain.toString().contains("RESOURCE_EXHAUSTED"), chain.toString());
        }
        try (RaftClient client = outsider()) {
            assertTrue(client.io().send(Message.valueOf(ByteString.copyFrom(move("web").toByteArray()))).isSuccess());
        }
        assertLeaderStays(leader, term);
    }

    @Test
    void anOversizedCommandOfThisNodeIsRefusedBeforeItIsSent() throws Exception {
        cluster = InProcessCluster.start(new InProcessCluster(dir, 2000, ELECTION_TIMEOUT));
        Member leader = settledLeader();
        long term = leader.raft().currentTerm();
        Command huge = move("g".repeat(600 * 1024));
        CompletionException e = assertThrows(CompletionException.class,
                () -> leader.raft().submit(huge, Duration.ofSeconds(5)).join());
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause(), e.toString());
        assertEquals("a command of " + huge.getSerializedSize() + " bytes is over the limit of 262144 bytes",
                cause.getMessage());
        assertEquals(ResultCode.RESULT_NOT_FOUND, cluster.submit("server1", move("nope")).getCode());
        assertLeaderStays(leader, term);
    }
}
