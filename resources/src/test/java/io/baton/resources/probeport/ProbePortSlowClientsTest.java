package io.baton.resources.probeport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.resources.ResourceContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, finding 1: with {@code mode: http}, a handful of clients that connect and then send
 * nothing, or one byte, must not starve the load balancer's ordinary health checks. Real sockets on
 * 127.0.0.1; the slow clients keep their number of connections open for the whole test (each one
 * the server drops is opened again at once, as a slowloris does), bounded in connections and time.
 */
class ProbePortSlowClientsTest {

    private static final String HOST = "127.0.0.1";
    private static final ResourceContext CTX = new ResourceContext("g1", "n1", 1);
    /** Slow connections held open at once: many more than a handful. */
    private static final int SLOW_CLIENTS = 50;
    /** Ordinary health checks made in a row while they are held, at least. */
    private static final int CHECKS = 20;
    /** The checks go on at least this long: through the server's request deadline (1 s), so every slow client is dropped and back. */
    private static final long ATTACK_MS = 1500;
    /** And stop after this many. */
    private static final int CHECKS_MAX = 1000;
    /**
     * How long one check may take, connect to last byte: under a load balancer's check timeout (an AWS
     * NLB's HTTP check waits 6 s by default). Room for a SYN retransmission (1 s): the backlog of 1
     * drops a check's SYN that comes while the slow clients' reconnections fill the accept queue.
     */
    private static final int CHECK_TIMEOUT_MS = 5000;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void fiftySlowClientsDoNotStarveOrdinaryHealthChecks() throws Exception {
        ProbePortResource r = new ProbePortResource("probe", HOST, 0, ProbeMode.HTTP, () -> true);
        cleanup.add(r);
        r.start(CTX);
        int port = r.localPort();
        assertTrue(httpCheck(port).startsWith("HTTP/1.1 200 OK"), "answers before the slow clients come");
        int threadsBefore = liveThreads();
        long fdsBefore = openFds();

        SlowClients slow = new SlowClients(port, SLOW_CLIENTS, 20_000, Duration.ofSeconds(60));
        cleanup.add(slow);
        slow.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.connected() >= SLOW_CLIENTS);

        int answered = 0;
        int checks = 0;
        long worstMs = 0;
        List<String> failures = new ArrayList<>();
        long attackStart = System.nanoTime();
        while ((checks < CHECKS || System.nanoTime() - attackStart < TimeUnit.MILLISECONDS.toNanos(ATTACK_MS))
                && checks < CHECKS_MAX) {
            // Each check right after the server dropped a slow client, as it races that client's return.
            long droppedBefore = slow.droppedByServer();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> slow.droppedByServer() > droppedBefore);
            checks++;
            long t0 = System.nanoTime();
            String reply;
            try {
                reply = httpCheck(port);
            } catch (IOException e) {
                reply = e.toString();
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            worstMs = Math.max(worstMs, ms);
            if (reply.startsWith("HTTP/1.1 200 OK") && ms <= CHECK_TIMEOUT_MS) {
                answered++;
            } else if (failures.size() < 5) {
                failures.add(ms + " ms: " + (reply.isEmpty() ? "closed unanswered" : reply.lines().findFirst().orElse("")));
            }
        }
        int probeThreads = probeThreads();
        slow.close();
        System.out.printf("slow clients: %d of %d checks answered 200 within %d ms with %d slow connections held"
                        + " (worst %d ms; %d slow connections opened, %d dropped by the server; probe threads %d)%n",
                answered, checks, CHECK_TIMEOUT_MS, SLOW_CLIENTS, worstMs, slow.opened(), slow.droppedByServer(),
                probeThreads);
        assertEquals(checks, answered, "checks not answered while slow clients were held: " + failures);
        assertTrue(checks >= CHECKS, "checks made: " + checks);
        // Dropped by the server's deadlines, and back (their reconnections are slowed by the backlog of 1:
        // a SYN or handshake ACK that finds the accept queue full waits for a retransmission).
        assertTrue(slow.droppedByServer() > 0, "slow clients dropped by the server: " + slow.droppedByServer());
        assertTrue(probeThreads <= 2, "HTTP mode serves every connection from the accept thread and one other: "
                + probeThreads);

        // Once they are gone, everything they cost comes back: threads and file descriptors.
        await().atMost(Duration.ofSeconds(5)).pollInSameThread()
                .untilAsserted(() -> assertTrue(liveThreads() <= threadsBefore,
                        "threads " + liveThreads() + ", before " + threadsBefore));
        if (fdsBefore >= 0) {
            await().atMost(Duration.ofSeconds(5)).pollInSameThread()
                    .untilAsserted(() -> assertTrue(openFds() <= fdsBefore, "fds " + openFds() + ", before " + fdsBefore));
        }
        assertTrue(httpCheck(port).startsWith("HTTP/1.1 200 OK"), "still answers afterwards");
    }

    @Test
    void beyondTheConnectionLimitANewConnectionIsClosedAtOnceNotQueued() throws Exception {
        HttpProbeServer.Limits limits = new HttpProbeServer.Limits(3, 10_000, 20_000, 8192);
        ProbePortResource r = new ProbePortResource("probe", HOST, 0, ProbeMode.HTTP, () -> true, limits);
        cleanup.add(r);
        r.start(CTX);
        int port = r.localPort();
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = new Socket();
            cleanup.add(s);
            s.connect(new InetSocketAddress(HOST, port), 2000);
            silent.add(s);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> r.probesSeen() >= 3);

        long t0 = System.nanoTime();
        assertEquals("", httpCheck(port), "a fourth connection is closed unanswered");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5000, "closed at once, not after a deadline: " + ms + " ms");

        silent.get(0).close(); // one leaves: room for a check again
        await().atMost(Duration.ofSeconds(5)).until(() -> httpCheck(port).startsWith("HTTP/1.1 200 OK"));
    }

    @Test
    void aSilentClientGoesAfterTheFirstByteDeadlineAndAOneByteClientAfterTheRequestDeadline() throws Exception {
        HttpProbeServer.Limits limits = new HttpProbeServer.Limits(8, 200, 3000, 8192);
        ProbePortResource r = new ProbePortResource("probe", HOST, 0, ProbeMode.HTTP, () -> true, limits);
        cleanup.add(r);
        r.start(CTX);
        int port = r.localPort();

        long silentMs = droppedAfterMs(port, new byte[0]);
        long oneByteMs = droppedAfterMs(port, new byte[] {'G'});
        System.out.printf("deadlines: silent client dropped after %d ms (first byte: 200), one-byte client after"
                + " %d ms (request: 3000)%n", silentMs, oneByteMs);
        assertTrue(silentMs >= 200 && silentMs < 2500, "silent client dropped after " + silentMs + " ms");
        assertTrue(oneByteMs >= 3000 && oneByteMs < 10_000, "one-byte client dropped after " + oneByteMs + " ms");
        assertTrue(httpCheck(port).startsWith("HTTP/1.1 200 OK"));
    }

    /** Connects, sends {@code bytes}, and returns how long until the server closed it (unanswered). */
    private static long droppedAfterMs(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 2000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(bytes);
            s.setSoTimeout(15_000);
            assertEquals(-1, s.getInputStream().read(), "closed without an answer");
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
    }

    /** One ordinary health check, as a load balancer makes it: what came back ("" if closed unanswered). */
    static String httpCheck(int port) throws IOException {
        try (Socket s = new Socket()) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_TIMEOUT_MS);
            s.connect(new InetSocketAddress(HOST, port), CHECK_TIMEOUT_MS);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: lb\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[512];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                int n;
                try {
                    n = s.getInputStream().read(buf);
                } catch (SocketException e) {
                    break; // reset: closed before the request was read, which is closed unanswered too
                }
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static int probeThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("probe-port-")).count();
    }

    /** Open file descriptors of this JVM, or -1 where /proc is not there. */
    static long openFds() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        }
    }

    /**
     * Holds {@code count} connections open on one thread: even-numbered ones send nothing, odd ones
     * one byte of a request, then both wait. A connection the server closes is opened again at
     * once. Stops after {@code maxConnections} connections in all or after {@code maxRun}.
     */
    static final class SlowClients implements AutoCloseable {
        private final InetSocketAddress target;
        private final int count;
        private final int maxConnections;
        private final long stopAtNanos;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger connected = new AtomicInteger();
        private final AtomicLong dropped = new AtomicLong();
        private final Selector selector;
        private final Thread thread;

        SlowClients(int port, int count, int maxConnections, Duration maxRun) throws IOException {
            this.target = new InetSocketAddress(HOST, port);
            this.count = count;
            this.maxConnections = maxConnections;
            this.stopAtNanos = System.nanoTime() + maxRun.toNanos();
            this.selector = Selector.open();
            this.thread = new Thread(this::run, "slow-clients");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        int opened() {
            return opened.get();
        }

        /** Connections whose handshake completed, since the start. */
        int connected() {
            return connected.get();
        }

        long droppedByServer() {
            return dropped.get();
        }

        private void run() {
            ByteBuffer sink = ByteBuffer.allocate(1024);
            try {
                while (running.get() && System.nanoTime() < stopAtNanos) {
                    while (selector.keys().size() < count && opened.get() < maxConnections) {
                        open();
                    }
                    selector.select(50);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) k.channel();
                        try {
                            if (k.isConnectable()) {
                                ch.finishConnect();
                                connected(ch, (int) k.attachment());
                                k.interestOps(SelectionKey.OP_READ);
                            } else if (k.isReadable()) {
                                sink.clear();
                                if (ch.read(sink) < 0) {
                                    dropped.incrementAndGet();
                                    k.cancel();
                                    ch.close();
                                }
                            }
                        } catch (IOException e) {
                            dropped.incrementAndGet();
                            k.cancel();
                            ch.close();
                        }
                    }
                    selector.selectedKeys().clear();
                    selector.selectNow(); // let cancelled keys leave the key set
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                for (SelectionKey k : selector.keys()) {
                    try {
                        k.channel().close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void open() throws IOException {
            int n = opened.getAndIncrement();
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            if (ch.connect(target)) {
                connected(ch, n);
                ch.register(selector, SelectionKey.OP_READ, n);
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT, n);
            }
        }

        private void connected(SocketChannel ch, int n) throws IOException {
            connected.incrementAndGet();
            if (n % 2 == 1) {
                ch.write(ByteBuffer.wrap(new byte[] {'G'}));
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            selector.wakeup();
            thread.join(5000);
        }
    }
}
