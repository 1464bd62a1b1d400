package io.baton.node.configchange;

import io.baton.coordinator.ratis.StateListener;
import io.baton.node.agent.NodeAgent;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigFingerprint;
import io.baton.node.membership.Members;
import io.baton.proto.AppliedConfigProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.MembershipProto;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's groups by the configuration the cluster applied: told of every ApplyConfig its
 * replica applies (a SetMembership is the membership follower's, which reconciles the same runtimes in
 * order after the mirror replicas), and checking once a second besides (a configuration that arrives
 * in a snapshot comes without an entry, and a group to rebuild may still be stopping). Once every
 * runtime matches, the agent's heartbeats say so ({@link NodeAgent#reportConfigVersion}) and the node
 * may be granted groups again. Also re-reads the node's cluster file, so that status compares what is
 * on disk now with the other nodes' files and the applied configuration. Work runs on its own thread.
 */
public final class ConfigFollower implements StateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigFollower.class);

    /** What the replica holds now: the applied configuration and the membership, read together. */
    public record Replicated(Optional<AppliedConfigProto> config, Optional<MembershipProto> membership) {}

    private final Supplier<Replicated> replicated;
    private final AppliedConfigs configs;
    private final AgentGroups groups;
    private final NodeAgent agent;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "baton-config-follower");
        t.setDaemon(true);
        return t;
    });
    private long followed;
    private String lastProblem;

    public ConfigFollower(Supplier<Replicated> replicated, AppliedConfigs configs, AgentGroups groups, NodeAgent agent) {
        this.replicated = replicated;
        this.configs = configs;
        this.groups = groups;
        this.agent = agent;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        if (command.hasApplyConfig()) {
            try {
                thread.execute(this::check);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** One pass: the file's hash, then the runtimes; public for tests that drive it. */
    public void check() {
        rehashFile();
        Replicated now = replicated.get();
        long version = now.config().map(AppliedConfigProto::getVersion).orElse(0L);
        ClusterConfig running;
        try {
            running = configs.running(now.config());
        } catch (ConfigException e) {
            problem(version, "its text does not load here: " + e.getMessage());
            return;
        }
        MembershipProto live = Members.live(configs.file(), now.membership());
        try {
            if (!groups.reconcile(running, live)) {
                problem(version, "a group whose resources change still runs here");
                return;
            }
        } catch (RuntimeException e) {
            problem(version, String.valueOf(e.getMessage()));
            return;
        }
        lastProblem = null;
        if (version != followed) {
            log.info("running configuration version {}", version);
            followed = version;
        }
        agent.reportConfigVersion(version);
    }

    private void problem(long version, String why) {
        if (!why.equals(lastProblem)) {
            log.warn("cannot run configuration version {} yet: {}", version, why);
        }
        lastProblem = why;
    }

    /** The cluster file as it is on disk now (an operator may have copied the applied one there). */
    private void rehashFile() {
        if (configs.file().source() == null) {
            return;
        }
        try {
            agent.reportConfigHash(ConfigFingerprint.of(Files.readAllBytes(configs.file().source())));
        } catch (IOException e) {
            // Unreadable now: the hash it loaded stays, and the node runs by what it loaded.
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
