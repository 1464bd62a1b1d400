package io.baton.coordinator.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.StateCodec;
import io.baton.proto.ActivityProto;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.GroupReport;
import io.baton.proto.GroupStateProto;
import io.baton.proto.PhaseProto;
import io.baton.proto.ResultCode;
import io.baton.proto.StartGroup;
import io.baton.proto.StopGroup;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.StorageImplUtils;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BatonStateMachine}'s snapshot without a Raft server: entries applied directly, a snapshot
 * taken, and fresh state machines loading it, at startup ({@code initialize}) and after an install
 * from the leader ({@code reinitialize}).
 */
class BatonStateMachineSnapshotTest {
    private static final RaftGroupId GROUP = RaftNode.groupId(InProcessCluster.CLUSTER);

    @TempDir
    Path dir;
    private final List<RaftStorage> storages = new ArrayList<>();

    @AfterEach
    void closeStorages() throws IOException {
        for (RaftStorage s : storages) {
            s.close();
        }
    }

    @Test
    void snapshotIsLoadedByAFreshStateMachineAtStartupAndAfterAnInstall() throws Exception {
        BatonStateMachine sm = stateMachine("a");
        assertEquals(-1, sm.takeSnapshot(), "nothing applied: no snapshot");
        ClusterStateProto initial = proto(sm);

        assertOk(apply(sm, 1, 1, InProcessCluster.heartbeat("server1", 1)));
        assertOk(apply(sm, 1, 2, InProcessCluster.heartbeat("server2", 1)));
        assertOk(apply(sm, 2, 3, Command.newBuilder().setWallTimeMs(5)
                .setStart(StartGroup.newBuilder().setGroup("batch").setOn("server2")).build()));
        assertOk(apply(sm, 2, 4, InProcessCluster.heartbeat("server2", 2, GroupReport.newBuilder().setGroup("batch")
                .setEpoch(1).setActivity(ActivityProto.ACTIVITY_ACTIVE).build())));
        ClusterStateProto before = proto(sm);
        GroupStateProto batch = before.getGroups(1);
        assertEquals("server2", batch.getOwner());
        assertEquals(PhaseProto.PHASE_ONLINE, batch.getPhase());

        assertEquals(4, sm.takeSnapshot());
        Path snapshot = snapshotFile("a", 2, 4);
        assertTrue(Files.exists(snapshot));
        assertTrue(Files.exists(snapshot.resolveSibling(snapshot.getFileName() + ".md5")));
        assertEquals(TermIndex.valueOf(2, 4), sm.getLatestSnapshot().getTermIndex());
        assertEquals(before, ClusterStateProto.parseFrom(Files.readAllBytes(snapshot)));
        closeStorage(0);

        // A restart: a fresh state machine on the same storage starts from the snapshot and goes on from there.
        BatonStateMachine restarted = stateMachine("a");
        assertEquals(before, proto(restarted));
        assertEquals(TermIndex.valueOf(2, 4), restarted.getLastAppliedTermIndex());
        CommandResult next = apply(restarted, 3, 5, Command.newBuilder().setWallTimeMs(6)
                .setStop(StopGroup.newBuilder().setGroup("batch")).build());
        assertOk(next);
        assertEquals(before.getNextEventSeq(), proto(restarted).getEvents(before.getEventsCount()).getSeq());

        // A follower: empty storage, then the leader's snapshot arrives and reinitialize loads it.
        BatonStateMachine follower = stateMachine("b");
        assertEquals(initial, proto(follower));
        Path target = dir.resolve("b").resolve("sm");
        Files.copy(snapshot, target.resolve(snapshot.getFileName()));
        Files.copy(snapshot.resolveSibling(snapshot.getFileName() + ".md5"),
                target.resolve(snapshot.getFileName() + ".md5"));
        follower.reinitialize();
        assertEquals(before, proto(follower));
        assertEquals(TermIndex.valueOf(2, 4), follower.getLastAppliedTermIndex());
        assertNotNull(follower.getLatestSnapshot());
    }

    /** A snapshot whose bytes no longer match its MD5 file is refused, not loaded as some other state. */
    @Test
    void aCorruptSnapshotIsRefused() throws Exception {
        BatonStateMachine sm = stateMachine("a");
        assertOk(apply(sm, 1, 1, InProcessCluster.heartbeat("server2", 1)));
        assertOk(apply(sm, 1, 2, Command.newBuilder().setWallTimeMs(5)
                .setStart(StartGroup.newBuilder().setGroup("batch").setOn("server2")).build()));
        assertEquals(2, sm.takeSnapshot());
        closeStorage(0);

        // The owner's name changes on disk (same length, still a valid protobuf); the .md5 file stays.
        Path snapshot = snapshotFile("a", 1, 2);
        byte[] bytes = Files.readAllBytes(snapshot);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int owner = text.indexOf("batch") + "batch".length() + 2;
        assertEquals("server2", text.substring(owner, owner + "server2".length()));
        bytes[owner + "server".length()] = '1';
        Files.write(snapshot, bytes);
        assertEquals("server1", ClusterStateProto.parseFrom(bytes).getGroups(1).getOwner());

        IOException e = assertThrows(IOException.class, () -> stateMachine("a"));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
    }

    /**
     * Ratis pauses the state machine before installing a snapshot from the leader (once per chunk)
     * and reloads it only if it reports PAUSED: otherwise the server shuts itself down.
     */
    @Test
    void pausedForASnapshotInstallAndRunningAgainAfterReinitialize() throws Exception {
        BatonStateMachine sm = stateMachine("a");
        assertEquals(LifeCycle.State.RUNNING, sm.getLifeCycleState());
        sm.pause();
        assertEquals(LifeCycle.State.PAUSED, sm.getLifeCycleState());
        sm.pause();
        assertEquals(LifeCycle.State.PAUSED, sm.getLifeCycleState());
        sm.reinitialize();
        assertEquals(LifeCycle.State.RUNNING, sm.getLifeCycleState());
    }

    @Test
    void aSnapshotThatCannotBeWrittenIsAStorageFailureReportedOnce() throws Exception {
        BatonStateMachine sm = stateMachine("a");
        List<StorageFailure> told = new ArrayList<>();
        sm.onStorageFailure(told::add);
        assertOk(apply(sm, 1, 1, InProcessCluster.heartbeat("server1", 1)));
        // The snapshot directory replaced by a file: every write under it fails, as on a broken disk.
        Path smDir = dir.resolve("a").resolve("sm");
        try (var files = Files.list(smDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(smDir);
        Files.writeString(smDir, "not a directory");

        assertThrows(IOException.class, sm::takeSnapshot);
        assertThrows(IOException.class, sm::takeSnapshot);
        assertEquals(1, told.size(), "told once: " + told);
        assertTrue(told.get(0).path().startsWith(smDir.toString()), told.get(0)::toString);
        assertTrue(sm.storageFailed());
    }

    @Test
    void aLogWriteFailureIsToldOnceAndAListenerExceptionStaysInside() throws Exception {
        BatonStateMachine sm = stateMachine("b");
        List<StorageFailure> told = new ArrayList<>();
        sm.onStorageFailure(f -> {
            told.add(f);
            throw new IllegalStateException("listener broken");
        });
        sm.notifyLogFailed(new IOException("No space left on device"), null);
        sm.notifyLogFailed(new IOException("No space left on device"), null);
        assertEquals(1, told.size());
        assertEquals(dir.resolve("b").toString(), told.get(0).path());
        assertEquals("No space left on device (ENOSPC)", told.get(0).reason());
    }

    @Test
    void anEntryThatIsNotACommandIsRefusedInItsResult() throws Exception {
        BatonStateMachine sm = stateMachine("a");
        ClusterStateProto initial = proto(sm);
        TransactionContext trx = TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
                .setStateMachine(sm).setLogEntry(entry(1, 1, ByteString.copyFromUtf8("\u00ff\u00ff not a command")))
                .build();
        CommandResult result = CommandResult.parseFrom(sm.applyTransaction(trx).join().getContent().toByteArray());
        assertEquals(ResultCode.RESULT_INVALID_ARGUMENT, result.getCode());
        assertEquals("log entry 1 is not a Baton command", result.getMessage());
        assertEquals(initial, proto(sm));
        assertEquals(TermIndex.valueOf(1, 1), sm.getLastAppliedTermIndex());
    }

    /** A state machine on its own Raft storage directory {@code dir/name} (as a server's {@code <storage>/<group id>}). */
    private BatonStateMachine stateMachine(String name) throws IOException {
        RaftStorage storage = StorageImplUtils.newRaftStorage(dir.resolve(name).toFile(), SizeInBytes.ZERO,
                RaftStorage.StartupOption.RECOVER, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
        storage.initialize();
        storages.add(storage);
        BatonStateMachine sm = new BatonStateMachine(new Core(InProcessCluster.TOPOLOGY));
        sm.initialize(server(name), GROUP, storage);
        return sm;
    }

    private void closeStorage(int i) throws IOException {
        storages.remove(i).close();
    }

    private Path snapshotFile(String name, long term, long index) {
        return dir.resolve(name).resolve("sm").resolve("snapshot." + term + "_" + index);
    }

    /** A stand-in server: the state machine asks it only for its id. */
    private static RaftServer server(String id) {
        RaftPeerId peerId = RaftPeerId.valueOf(id);
        return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> peerId;
                    case "toString" -> "server " + id;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static CommandResult apply(BatonStateMachine sm, long term, long index, Command command) throws Exception {
        TransactionContext trx = TransactionContext.newBuilder().setServerRole(RaftPeerRole.FOLLOWER)
                .setStateMachine(sm).setLogEntry(entry(term, index, ByteString.copyFrom(command.toByteArray())))
                .build();
        return CommandResult.parseFrom(sm.applyTransaction(trx).join().getContent().toByteArray());
    }

    private static LogEntryProto entry(long term, long index, ByteString data) {
        return LogEntryProto.newBuilder().setTerm(term).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(data)).build();
    }

    private static ClusterStateProto proto(BatonStateMachine sm) {
        return sm.read(StateCodec::toProto);
    }

    private static void assertOk(CommandResult r) {
        assertEquals(ResultCode.RESULT_OK, r.getCode(), r.getMessage());
    }
}
