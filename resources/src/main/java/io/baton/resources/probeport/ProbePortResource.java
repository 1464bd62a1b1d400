package io.baton.resources.probeport;

import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port a layer-4 load balancer health-checks: open on the active node only.
 *
 * <p>The listener uses an accept backlog of 1, so if the owning process is frozen (GC pause,
 * SIGSTOP, VM stall) the kernel completes at most a couple of handshakes on its behalf and later
 * probes time out, instead of a full default backlog of probes passing for a dead owner.
 *
 * <p>{@link #fence()} closes the listening socket at once from any thread; {@link #start} binds
 * again afterwards. A listening channel closed while registered with the accept thread's selector
 * keeps listening (and completing handshakes) until that thread has been woken and deregistered it,
 * which on a loaded machine takes milliseconds: so the fence also waits for the accept thread to
 * end, at most {@link #FENCE_WAIT_MS}, and the port refuses when it returns.
 *
 * <p>{@code leaseHeld} says whether the node's lease is live. The accept thread checks it before it
 * takes a queued connection: if it is not (the process was frozen past its lease) it closes the
 * listener at once (TCP mode), with the queue still full, before the fence thread gets to it. In
 * HTTP mode a probe answered after the lease ended gets a 503.
 *
 * <p>In HTTP mode the accept thread hands every connection to one {@link HttpProbeServer} thread
 * (a selector), so slow or silent clients cost a file descriptor each, never a thread, and are
 * dropped after 100 ms without a first byte or 1 s without a request; beyond 128 open connections a
 * new one is closed at once ({@link HttpProbeServer.Limits#DEFAULT}). A handful of slow clients can
 * no longer starve the load balancer's checks (issue 9: four of them held four handler threads).
 */
public final class ProbePortResource implements Resource {

    private static final Logger log = LoggerFactory.getLogger(ProbePortResource.class);

    /** Accept backlog: minimal, see the class comment. */
    static final int BACKLOG = 1;
    /** How long {@link #fence()} waits for the accept thread to leave accept() (it takes microseconds). */
    static final long FENCE_WAIT_MS = 100;
    /** How long {@link #start} keeps trying a port that is in use (see {@link #bindRetrying}). */
    static final long BIND_RETRY_MS = 1000;
    static final long BIND_RETRY_PAUSE_MS = 10;

    private final String name;
    private final String bindHost;
    private final int port;
    private final ProbeMode mode;
    private final BooleanSupplier leaseHeld;
    private final HttpProbeServer.Limits httpLimits;

    private final Object lock = new Object();
    private final AtomicLong probes = new AtomicLong();
    /** Counts fence() calls, so a start racing with a fence does not leave the port open. */
    private final AtomicLong fences = new AtomicLong();
    private final Object pauseMonitor = new Object();

    private volatile Listener current;
    private volatile String lastError;
    private volatile boolean fenced;
    private volatile boolean pausedForTest;
    private volatile boolean parkedForTest;

    public ProbePortResource(String name, String bindHost, int port, ProbeMode mode, BooleanSupplier leaseHeld) {
        this(name, bindHost, port, mode, leaseHeld, HttpProbeServer.Limits.DEFAULT);
    }

    /** With other limits for HTTP mode than the documented ones (tests). */
    ProbePortResource(String name, String bindHost, int port, ProbeMode mode, BooleanSupplier leaseHeld,
                      HttpProbeServer.Limits httpLimits) {
        this.httpLimits = Objects.requireNonNull(httpLimits, "httpLimits");
        this.name = Objects.requireNonNull(name, "name");
        this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.leaseHeld = Objects.requireNonNull(leaseHeld, "leaseHeld");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "probe_port";
    }

    public ProbeMode mode() {
        return mode;
    }

    /** Connections accepted since this resource was created. */
    public long probesSeen() {
        return probes.get();
    }

    /** The port actually bound (useful with port 0), or -1 when not listening. */
    public int localPort() {
        Listener l = current;
        return l != null && !l.server.isClosed() ? l.server.getLocalPort() : -1;
    }

    @Override
    public void start(ResourceContext context) throws ResourceException {
        synchronized (lock) {
            Listener existing = current;
            if (existing != null && !existing.server.isClosed()) {
                return;
            }
            if (existing != null) {
                // Closed by fence(): finish tearing it down before binding again.
                current = null;
                existing.shutdown();
            }
            long fenceMark = fences.get();
            InetSocketAddress address = new InetSocketAddress(bindHost, port);
            String where = describe(bindHost, port);
            if (address.isUnresolved()) {
                lastError = "probe port '" + name + "' cannot listen on " + where + ": cannot resolve host";
                throw new ResourceException(lastError);
            }
            ServerSocket server = null;
            Listener listener;
            try {
                server = bindRetrying(address);
                listener = new Listener(server);
            } catch (IOException e) {
                closeQuietly(server);
                lastError = "probe port '" + name + "' cannot listen on " + where + ": " + reason(e);
                throw new ResourceException(lastError, e);
            }
            current = listener;
            fenced = false;
            lastError = null;
            listener.start();
            if (fences.get() != fenceMark) {
                // fence() ran while we were binding and could not see the new socket.
                closeQuietly(server);
                fenced = true;
                throw new ResourceException("probe port '" + name + "' was fenced while starting");
            }
            log.info("Probe port '{}' listening on {} ({})", name, listener.address, mode);
        }
    }

    /**
     * Binds a listener to {@code address}, trying again for up to {@link #BIND_RETRY_MS} while the
     * address is in use. A listener this resource has just closed can still be open for a few
     * milliseconds in a child process that another group's script was being forked with at that
     * moment (the child closes what it inherited before it runs the script): a second bind then
     * failed with "address already in use" and the group with it, seen when groups started side by
     * side. A port held by someone else still fails, after the retries.
     */
    private ServerSocket bindRetrying(InetSocketAddress address) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_RETRY_MS);
        while (true) {
            // A channel in both modes: the accept thread waits in a selector and checks the lease
            // before it takes a connection from the queue (see acceptLoop).
            ServerSocket server = ServerSocketChannel.open().socket();
            try {
                server.setReuseAddress(true);
                server.bind(address, BACKLOG);
                return server;
            } catch (BindException e) {
                closeQuietly(server);
                if (!reason(e).equals("address already in use") || System.nanoTime() - deadline >= 0
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BIND_RETRY_PAUSE_MS));
            } catch (IOException | RuntimeException e) {
                closeQuietly(server);
                throw e;
            }
        }
    }

    @Override
    public void stop(ResourceContext context) {
        stopListener();
    }

    private void stopListener() {
        synchronized (lock) {
            Listener l = current;
            current = null;
            lastError = null;
            fenced = false;
            if (l != null) {
                l.shutdown();
                log.info("Probe port '{}' closed on {}", name, l.address);
            }
        }
    }

    @Override
    public void fence() {
        fences.incrementAndGet();
        Listener l = current;
        boolean closing = l != null && !l.server.isClosed();
        if (closing) {
            fenced = true;
            l.close(); // wakes the accept thread without waiting for it
        }
        synchronized (pauseMonitor) {
            pauseMonitor.notifyAll();
        }
        if (closing) {
            // The kernel keeps listening until the accept thread's selector has let go of the channel:
            // wait, briefly, until the thread has ended, so the port refuses on return.
            boolean left = l.awaitAcceptThreadGone(FENCE_WAIT_MS);
            log.warn("Probe port '{}' fenced: closed {}{}", name, l.address,
                    left ? "" : " (its accept thread not gone within " + FENCE_WAIT_MS + " ms)");
        }
    }

    @Override
    public ResourceState observe() {
        Listener l = current;
        if (l != null && !l.server.isClosed()) {
            return ResourceState.active("listening on " + l.address + ", " + probes.get() + " probes");
        }
        String error = lastError;
        if (error != null) {
            return ResourceState.failed(error);
        }
        return ResourceState.inactive(fenced ? "closed (fenced)" : "closed");
    }

    @Override
    public void close() {
        stopListener();
    }

    @Override
    public String toString() {
        return "ProbePortResource[" + name + " " + describe(bindHost, port) + " " + mode + "]";
    }

    // ---- test hooks ----

    /** Test hook: the accept thread stops calling accept() (as if the process were frozen). */
    void pauseAcceptingForTest() {
        pausedForTest = true;
    }

    /** Test hook: true once the accept thread has stopped calling accept(). */
    boolean acceptPausedForTest() {
        return parkedForTest;
    }

    /** Test hook: undoes {@link #pauseAcceptingForTest()}. */
    void resumeAcceptingForTest() {
        synchronized (pauseMonitor) {
            pausedForTest = false;
            pauseMonitor.notifyAll();
        }
    }

    // ---- internals ----

    private final class Listener {
        final ServerSocket server;
        final Selector selector;
        final String address;
        final Thread thread;
        /** HTTP mode: answers the connections this listener accepts; null in TCP mode. */
        final HttpProbeServer http;

        Listener(ServerSocket server) throws IOException {
            this.server = server;
            server.getChannel().configureBlocking(false);
            this.selector = Selector.open();
            server.getChannel().register(selector, SelectionKey.OP_ACCEPT);
            this.address = describe(server.getInetAddress(), server.getLocalPort());
            this.thread = new Thread(this::acceptLoop, "probe-port-" + name);
            this.thread.setDaemon(true);
            this.http = mode == ProbeMode.HTTP
                    ? new HttpProbeServer(name, httpLimits, ProbePortResource.this::held, this::close)
                    : null;
        }

        void start() {
            if (http != null) {
                http.start();
            }
            thread.start();
        }

        /** After the close: waits at most {@code ms} for the accept thread to end; true once it has. */
        boolean awaitAcceptThreadGone(long ms) {
            if (thread == Thread.currentThread()) {
                return true;
            }
            try {
                thread.join(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !thread.isAlive();
        }

        /**
         * Waits in the selector until a connection is queued, then, before taking anything from the
         * queue, checks the lease. Back from a freeze (SIGSTOP, a long pause) the queue is full (the
         * backlog), and while it is full the kernel completes no handshake: taking one connection out
         * would let the next probe's handshake complete before the listener is closed, which a load
         * balancer and the lab's observer count as open (an accept() that returned on resume did
         * that: the nemesis saw both probe ports open for one round). So with the lease over the
         * listener is closed with the queue still full (TCP mode; HTTP mode answers 503).
         */
        void acceptLoop() {
            ServerSocketChannel channel = server.getChannel();
            try {
                while (!server.isClosed()) {
                    if (!awaitNotPaused(server)) {
                        break;
                    }
                    try {
                        selector.select();
                        selector.selectedKeys().clear();
                    } catch (IOException e) {
                        log.warn("Probe port '{}' select failed: {}", name, e.toString());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                        continue;
                    }
                    if (server.isClosed() || pausedForTest) {
                        continue;
                    }
                    // HTTP mode answers such a probe 503 instead: its health is the answer, not the port.
                    if (http == null && !held()) {
                        log.warn("Probe port '{}': lease over, closing {}", name, address);
                        closeQuietly(server);
                        break;
                    }
                    SocketChannel socket;
                    while ((socket = acceptOne(channel)) != null) {
                        probes.incrementAndGet();
                        if (http == null && !held()) {
                            // Frozen between the check above and this accept: close as soon as we can.
                            log.warn("Probe port '{}': lease over, closing {}", name, address);
                            closeQuietly(server);
                            closeQuietly(socket);
                            break;
                        }
                        if (http == null || !http.offer(socket)) {
                            closeQuietly(socket); // TCP mode; or HTTP mode at its connection limit
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                log.error("Probe port '{}' accept thread died; closing the port", name, e);
                closeQuietly(server);
                throw e;
            } finally {
                // Deregisters the closed channel: only then does the kernel stop listening.
                closeQuietly(selector);
            }
        }

        /** The next queued connection, or null when none is (or accepting failed, e.g. out of fds). */
        private SocketChannel acceptOne(ServerSocketChannel channel) {
            try {
                return channel.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("Probe port '{}' accept failed: {}", name, e.toString());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                return null;
            }
        }

        /** Closes the listener and wakes the accept thread (a registered channel stays listening until it is deregistered). */
        void close() {
            closeQuietly(server);
            selector.wakeup();
        }

        void shutdown() {
            close();
            synchronized (pauseMonitor) {
                pauseMonitor.notifyAll();
            }
            if (thread.isAlive() && thread != Thread.currentThread()) {
                try {
                    thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (http != null) {
                http.close(); // after the accept thread, which hands it connections
            }
        }
    }

    /** Blocks while the test hook pauses accepting; false when the socket got closed meanwhile. */
    private boolean awaitNotPaused(ServerSocket server) {
        if (!pausedForTest) {
            return true;
        }
        synchronized (pauseMonitor) {
            parkedForTest = true;
            try {
                while (pausedForTest && !server.isClosed()) {
                    pauseMonitor.wait(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                parkedForTest = false;
            }
        }
        return !server.isClosed();
    }

    /** Whether the node's lease is live; a failing check counts as not. */
    private boolean held() {
        try {
            return leaseHeld.getAsBoolean();
        } catch (RuntimeException e) {
            log.warn("Probe port '{}': lease check failed", name, e);
            return false;
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof BindException && m != null && m.toLowerCase(Locale.ROOT).contains("in use")) {
            return "address already in use";
        }
        if (m == null || m.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }

    private static String describe(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String describe(InetAddress address, int port) {
        return describe(address.getHostAddress(), port);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing useful to do
            }
        }
    }
}
