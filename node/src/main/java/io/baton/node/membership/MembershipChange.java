package io.baton.node.membership;

import io.baton.coordinator.core.Protocol;
import io.baton.coordinator.ratis.RaftNode;
import io.baton.node.config.ClusterConfig;
import io.baton.node.config.HostPort;
import io.baton.proto.Caller;
import io.baton.proto.ClusterStateProto;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.FollowerContact;
import io.baton.proto.MemberProto;
import io.baton.proto.MembershipProto;
import io.baton.proto.RaftContact;
import io.baton.proto.ResultCode;
import io.baton.proto.SetMembership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * Carries out {@code batonctl node add|remove|replace} on the node that answers it, one step at a
 * time, each step checked against the leader's state first:
 * <ul>
 *   <li>add: the node into the replicated membership, then into the Raft voters (Ratis first
 *       brings it up to date from the leader: it must be running);</li>
 *   <li>remove: out of the Raft voters, then out of the membership;</li>
 *   <li>replace: add the new node, put it in the old one's place in every group (a mirror disk's
 *       owner then copies the whole disk to it; its replica is Inconsistent until that ends), then
 *       remove the old one.</li>
 * </ul>
 * Each step is idempotent against the state it reads, so running the command again after a failure
 * (a timeout, a node not yet started) resumes where it stopped. One change at a time per node; the
 * membership's version makes concurrent changes from two nodes refuse each other.
 */
public final class MembershipChange implements AutoCloseable {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final Duration COMMIT = Duration.ofSeconds(10);
    /** A new voter's catch-up (a snapshot and the log since) plus the configuration's commit. */
    private static final Duration VOTERS = Duration.ofSeconds(60);

    private final RaftNode raft;
    private final ClusterConfig config;
    private final LongSupplier wallClockMs;
    private final Duration contactWindow;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-membership");
        t.setDaemon(true);
        return t;
    });

    public MembershipChange(RaftNode raft, ClusterConfig config, LongSupplier wallClockMs, Duration contactWindow) {
        this.raft = raft;
        this.config = config;
        this.wallClockMs = wallClockMs;
        this.contactWindow = contactWindow;
    }

    /** Adds {@code node}; completes with what was done, or fails with {@link MembershipPlan.Refused} or the Raft error. */
    public CompletableFuture<String> add(MemberProto node, Caller caller) {
        return CompletableFuture.supplyAsync(() -> run(() -> {
            View v = read();
            if (Members.node(v.membership, node.getId()).isPresent() && v.voters.contains(node.getId())) {
                throw new MembershipPlan.Refused("node '" + node.getId() + "' is already a member of the cluster");
            }
            addSteps(v, node, caller);
            return "added " + describe(node) + ": " + voters(v.voters, node.getId(), null);
        }), worker);
    }

    /** Removes {@code node}. */
    public CompletableFuture<String> remove(String node, Caller caller) {
        return CompletableFuture.supplyAsync(() -> run(() -> {
            View v = read();
            if (Members.node(v.membership, node).isEmpty() && !v.voters.contains(node)) {
                throw new MembershipPlan.Refused("unknown node '" + node + "'; nodes: " + String.join(", ", Members.ids(v.membership)));
            }
            removeSteps(v, node, caller);
            return "removed " + node + ": " + voters(v.voters, null, node);
        }), worker);
    }

    /** Puts {@code with} in {@code old}'s place in every group, then removes {@code old}. */
    public CompletableFuture<String> replace(String old, MemberProto with, Caller caller) {
        return CompletableFuture.supplyAsync(() -> run(() -> {
            View v = read();
            Set<String> votersBefore = v.voters;
            if (Members.node(v.membership, old).isEmpty()) {
                throw new MembershipPlan.Refused("unknown node '" + old + "'; nodes: " + String.join(", ", Members.ids(v.membership)));
            }
            if (with.getWitness() != Members.node(v.membership, old).get().getWitness()) {
                throw new MembershipPlan.Refused("node '" + old + "' is a " + role(Members.node(v.membership, old).get())
                        + " node and '" + with.getId() + "' a " + role(with) + " node: a replacement has the same role");
            }
            requireNotRunning(v.state, old);
            if (Members.node(v.membership, with.getId()).isEmpty() || !v.voters.contains(with.getId())) {
                addSteps(v, with, caller);
                v = read();
            }
            List<String> groups = new ArrayList<>();
            v.membership.getGroupsList().stream().filter(g -> g.getMembersList().contains(old))
                    .forEach(g -> groups.add(g.getGroup()));
            if (!groups.isEmpty()) {
                commit(v, MembershipPlan.replaceInGroups(v.membership, old, with.getId()),
                        "replace " + old + " with " + with.getId() + " in group" + (groups.size() == 1 ? " " : "s ")
                                + String.join(", ", groups), caller);
                v = read();
            }
            removeSteps(v, old, caller);
            StringBuilder out = new StringBuilder("replaced " + old + " with " + describe(with) + ": "
                    + voters(votersBefore, with.getId(), old));
            for (String g : groups) {
                out.append("\ngroup ").append(g).append(": ").append(String.join(", ", Members.groupMembers(v.membership, g)));
                if (config.group(g).map(c -> c.hasMirrorDisk()).orElse(false)) {
                    out.append("; its mirror disk is copied in full to ").append(with.getId())
                            .append(", which is granted nothing before the copy ends (batonctl mirror status ").append(g).append(")");
                }
            }
            return out.toString();
        }), worker);
    }

    /** The new node into the membership (unless it is already there), then into the voters (unless it is already one). */
    private void addSteps(View v, MemberProto node, Caller caller) throws MembershipPlan.Refused {
        Set<String> nextVoters = new HashSet<>(v.voters);
        nextVoters.add(node.getId());
        Set<String> up = new HashSet<>(v.up);
        up.add(node.getId()); // Ratis refuses to add it unless it catches up: it must be up
        String quorum = VoterQuorum.problem(v.voters, nextVoters, up);
        if (quorum != null) {
            throw new MembershipPlan.Refused("cannot add node '" + node.getId() + "': " + quorum);
        }
        if (Members.node(v.membership, node.getId()).isEmpty()) {
            MembershipProto next = MembershipPlan.add(v.membership, node);
            requireListening(node);
            commit(v, next, "add " + describe(node), caller);
        } else if (!Members.node(v.membership, node.getId()).get().equals(node)) {
            throw new MembershipPlan.Refused("node '" + node.getId() + "' is a member already, with other addresses ("
                    + describe(Members.node(v.membership, node.getId()).get()) + "): remove it first");
        }
        if (!v.voters.contains(node.getId())) {
            HostPort raftAddress = HostPort.parse(node.getRaft());
            try {
                raft.changeVoters(new RaftNode.Peer(node.getId(), raftAddress.host(), raftAddress.port(), node.getWitness()),
                        null, VOTERS).join();
            } catch (CompletionException e) {
                throw new MembershipPlan.Refused("node '" + node.getId() + "' is in the membership but Raft could not make it a"
                        + " voter: " + reason(e) + ". Is baton-node running on it (with its own entry under nodes: and an"
                        + " empty data directory), and can the other nodes reach " + node.getRaft() + "? Run the same"
                        + " command again to retry, or 'batonctl node remove " + node.getId() + "' to undo.");
            }
        }
    }

    /**
     * Refuses, changing nothing, when nothing listens on the new node's Raft port: Raft could not
     * bring it up to date, and the membership would name a node that is not there.
     */
    private static void requireListening(MemberProto node) throws MembershipPlan.Refused {
        HostPort address = HostPort.parse(node.getRaft());
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(address.host(), address.port()), 2000);
        } catch (java.io.IOException e) {
            throw new MembershipPlan.Refused("nothing answers on node '" + node.getId() + "''s Raft port " + node.getRaft()
                    + " (" + e.getMessage() + "): start baton-node there first, with the cluster file plus its own entry"
                    + " under nodes: and an empty data directory; nothing was changed");
        }
    }

    /** The node out of the voters (unless it is not one), then out of the membership (unless it is not in it). */
    private void removeSteps(View v, String node, Caller caller) throws MembershipPlan.Refused {
        MembershipProto next = Members.node(v.membership, node).isPresent() ? MembershipPlan.remove(v.membership, node) : null;
        if (v.voters.contains(node)) {
            Set<String> nextVoters = new HashSet<>(v.voters);
            nextVoters.remove(node);
            String quorum = VoterQuorum.problem(v.voters, nextVoters, v.up);
            if (quorum != null) {
                throw new MembershipPlan.Refused("cannot remove node '" + node + "': " + quorum);
            }
            try {
                raft.changeVoters(null, node, VOTERS).join();
            } catch (CompletionException e) {
                throw new MembershipPlan.Refused("Raft could not remove node '" + node + "' from the voters: " + reason(e)
                        + "; run the same command again to retry");
            }
        }
        if (next != null) {
            View after = read();
            commit(after, MembershipPlan.remove(after.membership, node), "remove " + node, caller);
        }
    }

    private void commit(View v, MembershipProto next, String reason, Caller caller) throws MembershipPlan.Refused {
        Command.Builder c = Command.newBuilder().setWallTimeMs(wallClockMs.getAsLong())
                .setSetMembership(SetMembership.newBuilder().setExpectedVersion(v.version).setMembership(next).setReason(reason));
        if (caller != null) {
            c.setCaller(caller);
        }
        CommandResult r;
        try {
            r = raft.submit(c.build(), COMMIT).join();
        } catch (CompletionException e) {
            throw new MembershipPlan.Refused("no quorum: '" + reason + "' could not be committed within "
                    + COMMIT.toSeconds() + " s: " + reason(e));
        }
        if (r.getCode() != ResultCode.RESULT_OK) {
            throw new MembershipPlan.Refused(r.getMessage());
        }
    }

    /**
     * Refuses, before anything changes, to replace a node that owns a group or is a move's target: the
     * core would refuse the step that takes its groups, after the new node had been added.
     */
    private static void requireNotRunning(ClusterStateProto state, String node) throws MembershipPlan.Refused {
        for (var g : state.getGroupsList()) {
            if (node.equals(g.getOwner())) {
                throw new MembershipPlan.Refused("node '" + node + "' owns group '" + g.getName() + "' ("
                        + g.getPhase().name().substring("PHASE_".length()).toLowerCase() + "): move it first ('batonctl move "
                        + g.getName() + "'); nothing was changed");
            }
            if (node.equals(g.getMoveTarget())) {
                throw new MembershipPlan.Refused("group '" + g.getName() + "' is moving to '" + node
                        + "': wait for the move to end; nothing was changed");
            }
        }
    }

    /** What one step needs to know: the leader's state, its membership and version, the voters, who is up. */
    private record View(ClusterStateProto state, MembershipProto membership, long version, Set<String> voters,
                        Set<String> up) {}

    private View read() throws MembershipPlan.Refused {
        RaftNode.LeaderState leader;
        try {
            leader = raft.queryLeader(READ).join();
        } catch (CompletionException e) {
            throw new MembershipPlan.Refused("no quorum: no Raft leader answered within " + READ.toSeconds() + " s: " + reason(e));
        }
        ClusterStateProto state = leader.state();
        if (Protocol.of(state.getProtocolVersion()) < Protocol.MEMBERSHIP) {
            throw new MembershipPlan.Refused("the cluster speaks protocol " + Protocol.of(state.getProtocolVersion())
                    + "; membership changes need " + Protocol.MEMBERSHIP + ": upgrade every node first (docs/upgrade.md)");
        }
        MembershipProto membership = Members.live(config,
                state.hasMembership() ? java.util.Optional.of(state.getMembership()) : java.util.Optional.empty());
        Set<String> up = new HashSet<>();
        up.add(leader.leader());
        leader.raft().ifPresent(c -> up.addAll(heard(c)));
        return new View(state, membership, membership.getVersion(),
                Set.copyOf(raft.voters()), up);
    }

    /** The followers the leader heard within the contact window, during its own term. */
    private Set<String> heard(RaftContact c) {
        Set<String> up = new HashSet<>();
        for (FollowerContact f : c.getFollowersList()) {
            long heard = f.getLastHeardMs();
            if (heard >= 0 && heard <= contactWindow.toMillis() && (c.getLeaderForMs() == 0 || heard < c.getLeaderForMs())) {
                up.add(f.getNode());
            }
        }
        return up;
    }

    private interface Step {
        String run() throws MembershipPlan.Refused;
    }

    private static String run(Step step) {
        try {
            return step.run();
        } catch (MembershipPlan.Refused e) {
            throw new CompletionException(e);
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /**
     * "the cluster has N voters (...)" after the change: computed from the voters before it, for the
     * answering node's own view of the configuration may not have the committed change yet.
     */
    private static String voters(Set<String> before, String added, String removed) {
        java.util.TreeSet<String> after = new java.util.TreeSet<>(before);
        if (added != null) {
            after.add(added);
        }
        if (removed != null) {
            after.remove(removed);
        }
        return "the cluster has " + after.size() + " voters (" + String.join(", ", after) + ")";
    }

    private static String role(MemberProto n) {
        return n.getWitness() ? "witness" : "data";
    }

    private static String describe(MemberProto n) {
        return n.getId() + " (" + role(n) + ", raft " + n.getRaft() + ", admin " + n.getAdmin()
                + (n.getMirror().isEmpty() ? "" : ", mirror " + n.getMirror()) + ")";
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
