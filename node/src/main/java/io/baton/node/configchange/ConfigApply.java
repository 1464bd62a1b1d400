package io.baton.node.configchange;

import io.baton.coordinator.core.ClusterState;
import io.baton.coordinator.core.ConfigChange;
import io.baton.coordinator.core.Protocol;
import io.baton.coordinator.core.StateCodec;
import io.baton.coordinator.core.Topology;
import io.baton.coordinator.ratis.RaftNode;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigFingerprint;
import io.baton.node.config.ConfigLoader;
import io.baton.node.daemon.BatonNode;
import io.baton.node.membership.Members;
import io.baton.proto.AppliedConfigProto;
import io.baton.proto.ApplyConfig;
import io.baton.proto.Caller;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.MembershipProto;
import io.baton.proto.ResultCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * Carries out {@code batonctl config apply FILE} on the node that answers it: the text is loaded and
 * validated as a cluster file, compared with the configuration the leader's state runs by
 * ({@link ConfigDiff}), refused with every reason if any of it cannot change live, and otherwise
 * committed as one ApplyConfig at the version read. Every node's {@link ConfigFollower} then runs its
 * groups by it. A dry run answers what would change and commits nothing.
 */
public final class ConfigApply implements AutoCloseable {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final Duration COMMIT = Duration.ofSeconds(10);

    /** Why a configuration is not applied; {@code invalid}: the file itself is wrong (not the cluster's state). */
    public static final class Refused extends Exception {
        private final boolean invalid;

        Refused(String message, boolean invalid) {
            super(message);
            this.invalid = invalid;
        }

        public boolean invalid() {
            return invalid;
        }
    }

    private final RaftNode raft;
    private final AppliedConfigs configs;
    /** The topology of this node's cluster file, under which the leader's state is read. */
    private final Topology fileTopology;
    private final LongSupplier wallClockMs;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-config-apply");
        t.setDaemon(true);
        return t;
    });

    public ConfigApply(RaftNode raft, AppliedConfigs configs, LongSupplier wallClockMs) {
        this.raft = raft;
        this.configs = configs;
        this.fileTopology = BatonNode.topology(configs.file());
        this.wallClockMs = wallClockMs;
    }

    /**
     * Applies {@code text} (named {@code fileName} in messages); completes with what changed, or fails
     * with {@link Refused}. One apply at a time on this node; the version read makes concurrent applies
     * from two nodes refuse each other.
     */
    public CompletableFuture<String> apply(String text, String fileName, boolean dryRun, Caller caller) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(text, fileName, dryRun, caller);
            } catch (Refused e) {
                throw new CompletionException(e);
            }
        }, worker);
    }

    private String run(String text, String fileName, boolean dryRun, Caller caller) throws Refused {
        if (text.getBytes(StandardCharsets.UTF_8).length > ConfigChange.MAX_TEXT_BYTES) {
            throw new Refused(fileName + ": larger than " + ConfigChange.MAX_TEXT_BYTES / 1024 + " KiB", true);
        }
        ClusterConfig next;
        try {
            next = ConfigLoader.parse(text, fileName);
        } catch (ConfigException e) {
            throw new Refused(e.getMessage(), true);
        }
        ClusterStateProto state = leaderState();
        if (Protocol.of(state.getProtocolVersion()) < Protocol.CONFIG_APPLY) {
            throw new Refused("the cluster speaks protocol " + Protocol.of(state.getProtocolVersion()) + "; config apply needs "
                    + Protocol.CONFIG_APPLY + ": upgrade every node first (docs/upgrade.md)", false);
        }
        Optional<AppliedConfigProto> applied = state.hasAppliedConfig() ? Optional.of(state.getAppliedConfig()) : Optional.empty();
        long version = applied.map(AppliedConfigProto::getVersion).orElse(0L);
        ClusterConfig running;
        try {
            running = configs.running(applied);
        } catch (ConfigException e) {
            throw new Refused("configuration version " + version + " does not load on this node: " + e.getMessage(), false);
        }
        MembershipProto live = Members.live(configs.file(), state.hasMembership() ? Optional.of(state.getMembership()) : Optional.empty());
        ConfigDiff diff = ConfigDiff.between(running, next, live);
        if (!diff.refusals().isEmpty()) {
            // One line: batonctl prints a refusal's first line only.
            throw new Refused(fileName + " cannot be applied live; nothing was changed: "
                    + String.join("; ", diff.refusals()), false);
        }
        AppliedConfigProto.Builder config = AppliedConfigProto.newBuilder().setSha256(next.fingerprint()).setText(text);
        BatonNode.topology(next).groups().forEach(g -> config.addGroups(ConfigChange.proto(g)));
        // The core's own rule, on the leader's state: a group removed or rebuilt must be stopped first, and so on.
        ClusterState leaderState = StateCodec.fromProto(state, fileTopology);
        Optional<String> why = ConfigChange.whyNot(leaderState, leaderState.topology(fileTopology), config.build(),
                diff.offlineRequired());
        if (why.isPresent()) {
            throw new Refused(why.get() + "; nothing was changed", false);
        }
        if (applied.isPresent() && applied.get().getSha256().equals(next.fingerprint())) {
            return "nothing to apply: " + fileName + " is configuration version " + version + " already";
        }
        String changes = diff.empty() ? "no group changes (the file's text is recorded)" : String.join("\n  ", diff.changes());
        if (dryRun) {
            return "would apply " + fileName + " as configuration version " + (version + 1) + ":\n  " + changes;
        }
        Command.Builder c = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                .setApplyConfig(ApplyConfig.newBuilder().setExpectedVersion(version).setConfig(config)
                        .addAllOfflineRequired(diff.offlineRequired())
                        .setSummary(diff.empty() ? "no group changes" : String.join("; ", diff.changes())));
        if (caller != null) {
            c.setCaller(caller);
        }
        CommandResult r;
        try {
            r = raft.submit(c.build(), COMMIT).join();
        } catch (CompletionException e) {
            throw new Refused("no quorum: the configuration could not be committed within " + COMMIT.toSeconds() + " s: "
                    + cause(e), false);
        }
        if (r.getCode() != ResultCode.RESULT_OK) {
            throw new Refused(r.getMessage() + "; nothing was changed", false);
        }
        return r.getMessage() + ":\n  " + changes;
    }

    private ClusterStateProto leaderState() throws Refused {
        try {
            return raft.queryLeader(READ).join().state();
        } catch (CompletionException e) {
            throw new Refused("no quorum: no Raft leader answered within " + READ.toSeconds() + " s: " + cause(e), false);
        }
    }

    private static String cause(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
