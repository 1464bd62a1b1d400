package io.baton.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Polls the probe ports of both data nodes in a loop (a few milliseconds apart) for the whole test and
 * records every instant at which both accepted a connection: a violation of S1 as the load balancer
 * would see it. Bounded: it stops by itself after {@code maxMillis}.
 */
public final class ProbeObserver implements AutoCloseable {
    private final LocalCluster cluster;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> violations = new ArrayList<>();
    private final Thread thread;
    private volatile long rounds;
    private volatile boolean open1;
    private volatile boolean open2;

    public ProbeObserver(LocalCluster cluster, long maxMillis) {
        this.cluster = cluster;
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        this.thread = new Thread(() -> {
            while (running.get() && System.nanoTime() < deadline) {
                boolean one = cluster.probeOpen("server1", 100);
                boolean two = cluster.probeOpen("server2", 100);
                open1 = one;
                open2 = two;
                rounds++;
                if (one && two) {
                    synchronized (violations) {
                        violations.add("both probe ports open at " + System.currentTimeMillis());
                    }
                }
            }
        }, "probe-observer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The probe port's state in the latest round. Tests read this instead of connecting themselves: the
     * probe listener's backlog is one connection on purpose, so concurrent pollers could overflow it.
     */
    public boolean open(String node) {
        return node.equals("server1") ? open1 : open2;
    }

    /**
     * Waits (at most 5 s) until a round sees {@code node}'s probe port open. One round that sees an
     * open port closed is not a state change: the listener's backlog is one connection, so a connect
     * that arrives while the node is slow to accept the previous one has its SYN dropped and times
     * out (a load balancer's second check, fall 2, gets through). Only "open" is evidence.
     */
    public void awaitOpen(String node) {
        org.awaitility.Awaitility.await(node + "'s probe port open").atMost(java.time.Duration.ofSeconds(5))
                .pollInterval(java.time.Duration.ofMillis(10)).until(() -> open(node));
    }

    /** Waits for a fresh round so that {@link #open} describes the present. */
    public void awaitFreshRound() {
        long r = rounds;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> rounds > r + 1);
    }

    public long rounds() {
        return rounds;
    }

    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(2000);
    }
}
