package io.baton.node;

import io.baton.node.config.ClusterConfig;
import io.baton.node.config.ConfigException;
import io.baton.node.config.ConfigLoader;
import io.baton.node.daemon.BatonNode;
import io.baton.node.daemon.StartFailure;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton-node --config FILE --node ID}: runs one node until SIGTERM or SIGINT. */
@Command(name = "baton-node", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Runs one Baton node (data node or witness) of the cluster described in the cluster file.")
public final class NodeMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

    @Option(names = "--config", required = true, description = "the cluster file (the same on every node)")
    Path config;

    @Option(names = "--node", required = true, description = "this node's id in the cluster file")
    String node;

    @Option(names = "--data-dir", description = "where this node keeps its Raft log (default: /var/lib/baton/NODE)")
    Path dataDir;

    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        commonPoolParallelism(Runtime.getRuntime().availableProcessors(), System.getProperty(COMMON_POOL_PARALLELISM))
                .ifPresent(p -> System.setProperty(COMMON_POOL_PARALLELISM, p));
        System.exit(new CommandLine(new NodeMain()).execute(args));
    }

    /**
     * The common pool's size to set, if any. Ratis completes its asynchronous replies on
     * CompletableFuture's default executor, and where the common pool would have one thread (a machine
     * of one or two CPUs: cores - 1) that executor starts a new thread for every task. Two threads keep
     * it on the pool. A size set on the command line stands.
     */
    static Optional<String> commonPoolParallelism(int cpus, String configured) {
        return configured == null && cpus - 1 < 2 ? Optional.of("2") : Optional.empty();
    }

    @Override
    public Integer call() throws Exception {
        ClusterConfig cluster;
        try {
            cluster = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("baton-node: " + e.getMessage());
            return 2;
        }
        if (cluster.node(node).isEmpty()) {
            System.err.println("baton-node: " + config + ": no node '" + node + "'; nodes: "
                    + cluster.nodes().stream().map(n -> n.id()).collect(Collectors.joining(", ")));
            return 2;
        }
        if (cluster.tls() == null && !cluster.insecure()) {
            System.err.println("baton-node: " + config + ": cluster: no tls block; give cluster.tls (ca, cert, key:"
                    + " 'batonctl certs init --config " + config + " --out DIR' makes the files) or, to run without TLS"
                    + " on purpose, cluster.insecure: true");
            return 2;
        }
        cluster.warnings().forEach(w -> log.warn("{}", w));
        Path dir = dataDir != null ? dataDir : Path.of("/var/lib/baton", node);
        BatonNode running;
        try {
            running = BatonNode.start(cluster, node, dir);
        } catch (StartFailure e) {
            // Already one line saying what is wrong and what to do.
            System.err.println("baton-node: " + e.getMessage());
            return 1;
        } catch (java.io.IOException | RuntimeException e) {
            Throwable cause = e.getCause() != null && e.getMessage() != null && e.getMessage().contains("Exception:")
                    ? e.getCause() : e;
            log.debug("start failed", e);
            System.err.println("baton-node: cannot start node " + node + ": " + cause.getMessage());
            return 1;
        }
        // SIGTERM or SIGINT runs this hook (a clean stop, see BatonNode.close()); once it is done the
        // JVM exits with 128 + the signal: 143 after SIGTERM, which the systemd unit counts as success
        // (SuccessExitStatus=143). The exit status below is never used then: the JVM is already exiting.
        CountDownLatch stopped = new CountDownLatch(1);
        // A storage failure (a full or read-only data directory) fences the node and ends here with
        // 74 (EX_IOERR): systemd restarts it (Restart=on-failure); close() then does nothing more.
        AtomicInteger status = new AtomicInteger();
        running.onFailStop(s -> {
            status.set(s);
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
        return status.get();
    }
}
