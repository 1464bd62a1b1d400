package io.baton.coordinator.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.CommandAuthority;
import io.baton.coordinator.core.Core;
import io.baton.coordinator.core.StateCodec;
import io.baton.coordinator.net.LogThrottle;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.LeaderQuery;
import io.baton.proto.LeaderView;
import io.baton.proto.RaftContact;
import io.baton.proto.ResultCode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis adapter: decodes a log entry, hands it to the pure {@link Core}, encodes the result.
 * The snapshot is the serialized core state. {@code applyTransaction} is sequential and
 * deterministic; a command that does not parse is refused in the result (identically on every
 * replica) rather than thrown, since a thrown exception would stop the server.
 *
 * <p>{@link StateListener}s are side effects, never part of the replicated state: an exception of
 * one is caught, logged once per listener (later ones counted, at debug), and the entry, the other
 * listeners and the next entries go on. Thrown into Ratis it would stop the apply thread; during a
 * close it made Ratis 3.2's apply loop spin at 100 % CPU with the closing thread waiting for it
 * (issue 9: the event hub, closed before Raft, refused an entry applied meanwhile).
 */
public final class BatonStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(BatonStateMachine.class);
    /** Refused commands are logged once per kind of refusal per minute: a forger could send many. */
    private final LogThrottle deniedLog = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 64);

    /**
     * The largest command accepted into the log, in bytes. Ratis refuses a log entry over its
     * appender buffer (512 KiB, see {@link RaftNode}) only once it is being appended, and the leader
     * then steps down: anyone who can reach the Raft port could force an election per request. Baton's
     * own commands are far smaller (an admin command is a few names, a heartbeat a few KiB).
     */
    public static final int MAX_COMMAND_BYTES = 256 * 1024;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Core core;
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    /** Exceptions each listener threw, caught here. */
    private final Map<StateListener, AtomicLong> listenerFailures = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private ClusterState state;
    /** Told (once) when this replica cannot write its log or a snapshot; see {@link StorageFailure}. */
    private volatile Consumer<StorageFailure> storageFailureListener = f -> { };
    private final AtomicBoolean storageFailed = new AtomicBoolean();
    /** Where Ratis keeps this replica's log: the path named when a failure does not name one. */
    private volatile String storageDir = "";
    /** Who decides whether a heartbeat read confirms its node: the controller, on the ready leader. */
    private volatile ReadConfirmer readConfirmer = (node, incarnation, seq) -> false;

    /**
     * The leader's side of heartbeats answered as reads ({@link io.baton.coordinator.core.HeartbeatReads}):
     * {@link ControllerRunner}. Until one is set, every such read is answered "write it".
     */
    @FunctionalInterface
    public interface ReadConfirmer {
        /**
         * Whether a read of {@code node}'s heartbeat, answered from a state where its last committed
         * heartbeat is {@code (incarnation, seq)}, confirms it now (it then counts as heard now).
         */
        boolean confirmed(String node, long incarnation, long seq);
    }

    public void setReadConfirmer(ReadConfirmer confirmer) {
        this.readConfirmer = confirmer;
    }

    public BatonStateMachine(Core core) {
        this.core = core;
        this.state = ClusterState.initial(core.topology());
    }

    /**
     * Sets who is told, once, that this replica's storage failed: Ratis could not write a log
     * entry or its metadata ({@link #notifyLogFailed}), or a snapshot could not be written. It
     * runs on a Ratis thread and must hand the work to its own.
     */
    public void onStorageFailure(Consumer<StorageFailure> listener) {
        this.storageFailureListener = listener;
    }

    /** Whether a storage failure has been reported. */
    public boolean storageFailed() {
        return storageFailed.get();
    }

    /** Reports {@code failure} to the storage-failure listener, the first time only; never throws. */
    public void storageFailed(StorageFailure failure) {
        if (!storageFailed.compareAndSet(false, true)) {
            log.debug("another storage failure: {}", failure.line());
            return;
        }
        try {
            storageFailureListener.accept(failure);
        } catch (RuntimeException e) {
            log.error("storage-failure listener failed on {}: {}", failure.line(), e.toString());
        }
    }

    public void addListener(StateListener listener) {
        listeners.add(listener);
    }

    /** How many exceptions the listeners threw, all told (each caught and the state machine gone on). */
    public long listenerFailures() {
        return listenerFailures.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Tells every listener, in order; an exception of one is logged (once per listener) and goes no further. */
    private void tell(String what, Consumer<StateListener> call) {
        for (StateListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                long n = listenerFailures.computeIfAbsent(l, k -> new AtomicLong()).incrementAndGet();
                if (n == 1) {
                    log.warn("state listener {} failed on {}; the state machine goes on (logged once per listener)",
                            l.getClass().getSimpleName(), what, e);
                } else {
                    log.debug("state listener {} failed on {} ({} times): {}", l.getClass().getSimpleName(), what,
                            n, e.toString());
                }
            }
        }
    }

    /** Runs {@code reader} on the current state under the apply lock; it must not keep the state. */
    public <T> T read(Function<ClusterState, T> reader) {
        synchronized (lock) {
            return reader.apply(state);
        }
    }

    /** A copy of the current state. */
    public ClusterState copyState() {
        return read(ClusterState::copy);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storageDir = raftStorage.getStorageDir().getRoot().toString();
            storage.init(raftStorage);
            loadSnapshot(storage.loadLatestSnapshot());
        }, IOException.class);
    }

    /**
     * Called (once per received chunk) before a snapshot from the leader is installed. Ratis reloads
     * the state machine afterwards only if it reports PAUSED; otherwise the server shuts down.
     */
    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /** Loads the snapshot just installed from the leader, and resumes. */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        // The digest comes from the snapshot's .md5 file: compare it with the file's actual content
        // (MD5FileUtil.verifySavedMD5 would only compare the .md5 file with itself).
        MD5Hash recorded = snapshot.getFile().getFileDigest();
        if (recorded != null) {
            MD5Hash actual = MD5FileUtil.computeMd5ForFile(file);
            if (!actual.equals(recorded)) {
                throw new IOException("snapshot " + file + " is corrupt: its MD5 is " + actual
                        + " but its .md5 file records " + recorded);
            }
        }
        ClusterStateProto proto = ClusterStateProto.parseFrom(Files.readAllBytes(file.toPath()));
        synchronized (lock) {
            state = StateCodec.fromProto(proto, core.topology());
            updateLastAppliedTermIndex(snapshot.getTermIndex());
        }
        log.info("loaded snapshot at {}", snapshot.getTermIndex());
    }

    @Override
    public long takeSnapshot() throws IOException {
        ClusterStateProto proto;
        TermIndex last;
        synchronized (lock) {
            proto = StateCodec.toProto(state);
            last = getLastAppliedTermIndex();
        }
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        MD5Hash md5;
        try {
            Files.write(tmp, proto.toByteArray());
            Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        } catch (IOException | UncheckedIOException e) {
            // A full or read-only disk: the node cannot keep its replica, a crash (see StorageFailure).
            storageFailed(StorageFailure.of(e, file.getParent()));
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    /**
     * Ratis could not write a log entry or the log's metadata (ENOSPC, EROFS, EIO): this replica can
     * no longer keep its log, so the node must stop as if it had crashed.
     */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        storageFailed(StorageFailure.of(cause, storageDir));
    }

    /**
     * Runs on the leader only, before a request becomes a log entry. Refuses a request over
     * {@link #MAX_COMMAND_BYTES}: the client gets the reason, and the leader stays (an exception here
     * does not make it step down). Writes this leader's id into the command's {@code appended_by},
     * whatever the proposer sent, so that every replica can tell a leader's decision from another
     * member's forgery ({@link io.baton.coordinator.core.CommandAuthority}).
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        ByteString content = request.getMessage().getContent();
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(this)
                .setClientRequest(request);
        if (content.size() > MAX_COMMAND_BYTES) {
            TransactionContext trx = builder.build();
            trx.setException(new IllegalArgumentException(overLimit(content.size())));
            return trx;
        }
        return builder.setLogData(stamped(content, getId().toString())).build();
    }

    /** {@code content} with {@code appended_by} set to {@code leader}; as it was if it is not a command. */
    static ByteString stamped(ByteString content, String leader) {
        try {
            Command command = Command.parseFrom(content.toByteArray());
            return ByteString.copyFrom(command.toBuilder().setAppendedBy(leader).build().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            return content; // applied as "not a Baton command", changing nothing
        }
    }

    /** The refusal of a command of {@code size} bytes. */
    static String overLimit(int size) {
        return "a command of " + size + " bytes is over the limit of " + MAX_COMMAND_BYTES + " bytes";
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        Command command;
        CommandResult result;
        try {
            command = Command.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            command = Command.getDefaultInstance();
        }
        synchronized (lock) {
            result = command.getKindCase() == Command.KindCase.KIND_NOT_SET
                    ? CommandResult.newBuilder().setCode(ResultCode.RESULT_INVALID_ARGUMENT)
                            .setMessage("log entry " + index + " is not a Baton command").build()
                    : core.apply(state, command, index);
            updateLastAppliedTermIndex(entry.getTerm(), index);
        }
        if (result.getCode() == ResultCode.RESULT_PERMISSION_DENIED) {
            long held = deniedLog.occurrence(result.getMessage(), System.nanoTime());
            if (held >= 0) {
                String more = held > 0 ? " (" + held + " more in the last minute)" : "";
                if (result.getMessage().contains(CommandAuthority.LEADERS_DECISION)) {
                    // Mostly a decision its proposer made while it led, appended by its successor (the
                    // 200-fault nemesis saw one, at a leader change); replayed again at every restart.
                    log.info("entry {} ({}) refused: {}{}", index, command.getKindCase(), result.getMessage(), more);
                } else {
                    log.warn("entry {} ({}) refused: {}{}", index, command.getKindCase(), result.getMessage(), more);
                }
            }
        }
        Command applied = command;
        tell("entry " + index, l -> l.applied(applied, result, index));
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(result.toByteArray())));
    }

    /**
     * Answers with the whole state as this replica has applied it: alone for an empty query; for a
     * {@link LeaderQuery} with {@code raft_contact}, in a {@link LeaderView} with what this server, if
     * it leads, knows of its followers; for one with {@code confirm}, only the heartbeat's confirmation.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.isEmpty()) {
            ClusterStateProto proto = read(StateCodec::toProto);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(proto.toByteArray())));
        }
        LeaderQuery q;
        try {
            q = LeaderQuery.parseFrom(content.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(new IOException("not a Baton query: " + e.getMessage()));
        }
        if (q.hasConfirm()) {
            LeaderView view = LeaderView.newBuilder().setConfirmation(confirm(q.getConfirm())).build();
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(view.toByteArray())));
        }
        ClusterStateProto proto = read(StateCodec::toProto);
        LeaderView.Builder view = LeaderView.newBuilder().setState(proto);
        if (q.getRaftContact()) {
            raftContact().ifPresent(view::setRaft);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(view.build().toByteArray())));
    }

    /**
     * A heartbeat read (Ratis has made it linearizable: this replica has applied everything committed
     * before it arrived): what {@link Core#confirm} answers from this state, unless the leader's
     * controller does not confirm the node now.
     */
    CommandResult confirm(Command heartbeat) {
        record Answer(CommandResult result, long incarnation, long seq) {}
        Answer answer = read(s -> {
            TermIndex applied = getLastAppliedTermIndex();
            CommandResult result = core.confirm(s, heartbeat, applied == null ? 0 : applied.getIndex());
            var node = s.node(heartbeat.getHeartbeat().getNode());
            return new Answer(result, node.map(n -> n.incarnation()).orElse(0L), node.map(n -> n.seq()).orElse(0L));
        });
        if (answer.result().getCode() == ResultCode.RESULT_OK
                && !readConfirmer.confirmed(heartbeat.getHeartbeat().getNode(), answer.incarnation(), answer.seq())) {
            return CommandResult.newBuilder().setCode(ResultCode.RESULT_WRITE_NEEDED)
                    .setMessage("not confirmed by a read here: not the ready leader, or it decided the lease is over")
                    .build();
        }
        return answer.result();
    }

    /** This server's view of its followers if it is the leader. */
    private Optional<RaftContact> raftContact() {
        try {
            RaftServer server = getServer().getNow(null);
            if (server == null) {
                return Optional.empty();
            }
            RaftServer.Division division = server.getDivision(getGroupId());
            return RaftContacts.of(division.getInfo().getRoleInfoProto(), division.getCommitInfos());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void notifyLeaderReady() {
        tell("leader ready", StateListener::leaderReady);
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        tell("not leader", StateListener::notLeader);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        String id = newLeaderId == null ? "" : newLeaderId.toString();
        tell("leader changed", l -> l.leaderChanged(id));
    }
}
