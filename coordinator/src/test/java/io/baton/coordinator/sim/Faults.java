package io.baton.coordinator.sim;

import java.util.List;

/**
 * Random, overlapping faults during the safety phase: crashes (the process dies, its probe port
 * closes, it restarts later with a new incarnation), pauses (SIGSTOP: everything freezes, resources
 * stay as they were) and partitions (one node cut off both ways). Clock drift is fixed per node by
 * {@link Sim}. The heal clears everything.
 */
final class Faults {
    static final long MS = SimConfig.MS;

    private final Sim sim;

    Faults(Sim sim) {
        this.sim = sim;
    }

    void plan(long untilNanos) {
        for (long t = sim.between(200 * MS, 2_000 * MS); t < untilNanos; t += sim.between(300 * MS, 3_000 * MS)) {
            sim.scheduler.at(t, this::inject);
        }
    }

    private void inject() {
        List<SimNode> all = List.copyOf(sim.nodes.values());
        SimNode n = all.get(sim.random.nextInt(all.size()));
        int kind = sim.random.nextInt(100);
        long now = sim.scheduler.now();
        if (kind < 25) {
            if (n.status == SimNode.Status.CRASHED) {
                return;
            }
            crash(n);
            long gen = n.crashGen;
            sim.scheduler.at(now + sim.between(300 * MS, 5_000 * MS), () -> {
                if (n.crashGen == gen && n.status == SimNode.Status.CRASHED) {
                    restart(n);
                }
            });
        } else if (kind < 55) {
            if (n.status != SimNode.Status.UP) {
                return;
            }
            pause(n);
            long gen = n.pauseGen;
            sim.scheduler.at(now + sim.between(100 * MS, 5_000 * MS), () -> {
                if (n.pauseGen == gen && n.status == SimNode.Status.PAUSED) {
                    resume(n);
                }
            });
        } else if (kind >= 90 && sim.config.appCrashes()) {
            crashAnApp(n);
        } else {
            if (sim.raft.isolated(n)) {
                return;
            }
            isolate(n, true);
            long gen = n.isolateGen;
            sim.scheduler.at(now + sim.between(200 * MS, 6_000 * MS), () -> {
                if (n.isolateGen == gen && sim.raft.isolated(n)) {
                    isolate(n, false);
                }
            });
        }
        sim.stats.faults++;
    }

    /** Only application crashes, on the owners (the L2 schedule). */
    void planAppCrashes(long untilNanos) {
        for (long t = sim.between(1_000 * MS, 3_000 * MS); t < untilNanos; t += sim.between(500 * MS, 4_000 * MS)) {
            sim.scheduler.at(t, this::crashAnOwnersApp);
        }
    }

    private void crashAnOwnersApp() {
        List<String> groups = List.copyOf(sim.topology.groupsByName().keySet());
        String group = groups.get(sim.random.nextInt(groups.size()));
        sim.raft.state.group(group).map(g -> g.owner()).map(sim.nodes::get).filter(SimNode::up)
                .filter(n -> n.agent != null && n.agent.crashApp(group)).ifPresent(n -> {
                    sim.stats.appCrashes++;
                    sim.invariants.appCrashed(group);
                });
    }

    private void crashAnApp(SimNode n) {
        if (n.up() && n.agent != null) {
            for (String group : sim.topology.groupsByName().keySet()) {
                if (n.agent.crashApp(group)) {
                    sim.stats.appCrashes++;
                    return;
                }
            }
        }
    }

    /** Everything back: crashed nodes restart, paused ones resume, partitions heal. */
    void healAll() {
        for (SimNode n : sim.nodes.values()) {
            n.crashGen++;
            n.pauseGen++;
            n.isolateGen++;
            if (n.status == SimNode.Status.CRASHED) {
                restart(n);
            } else if (n.status == SimNode.Status.PAUSED) {
                resume(n);
            }
        }
        sim.raft.healPartitions();
        sim.trace.add("fault", "heal: every node up and connected");
        sim.raft.changed();
    }

    void crash(SimNode n) {
        n.crashGen++;
        n.status = SimNode.Status.CRASHED;
        n.frozen.clear();
        n.agent = null; // the probe port closes with the process
        n.controller = null;
        sim.trace.add("fault", "CRASH " + n.id);
        sim.raft.changed();
    }

    void restart(SimNode n) {
        long persisted = n.applied;
        n.incarnation++;
        n.status = SimNode.Status.UP;
        sim.trace.add("fault", "restart " + n.id + " incarnation " + n.incarnation + " from log index " + persisted);
        n.boot(persisted);
        sim.raft.changed();
    }

    void pause(SimNode n) {
        n.pauseGen++;
        n.status = SimNode.Status.PAUSED;
        sim.trace.add("fault", "PAUSE " + n.id);
        sim.raft.changed();
    }

    void resume(SimNode n) {
        n.status = SimNode.Status.UP;
        sim.trace.add("fault", "resume " + n.id);
        n.agent.resumed(); // the lease check first, before any frozen timer or message
        List<Runnable> frozen = List.copyOf(n.frozen);
        n.frozen.clear();
        for (Runnable r : frozen) {
            sim.scheduler.at(sim.scheduler.now(), n, r);
        }
        sim.raft.changed();
    }

    void isolate(SimNode n, boolean on) {
        if (on) {
            n.isolateGen++;
        }
        sim.raft.isolate(n, on);
        sim.trace.add("fault", (on ? "ISOLATE " : "reconnect ") + n.id);
        sim.raft.changed();
    }
}
