package io.baton.resources.probeport;

import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * again afterwards.
 *
 * <p>{@code leaseHeld} says whether the node's lease is live. In TCP mode a probe accepted while it
 * is not (the process was frozen past its lease) closes the listener at once, before the fence
 * thread gets to it; in HTTP mode such a probe is answered 503.
 */
public final class ProbePortResource implements Resource {

    private static final Logger log = LoggerFactory.getLogger(ProbePortResource.class);

    /** Accept backlog: minimal, see the class comment. */
    static final int BACKLOG = 1;
    /** Whole-request read deadline in HTTP mode. */
    static final int HTTP_READ_TIMEOUT_MS = 1000;
    /** Largest request head read in HTTP mode. */
    static final int HTTP_MAX_REQUEST_BYTES = 8192;
    /** Concurrent HTTP probes served; more are closed unanswered. */
    private static final int HTTP_MAX_HANDLERS = 4;

    private final String name;
    private final String bindHost;
    private final int port;
    private final ProbeMode mode;
    private final BooleanSupplier leaseHeld;

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
            try {
                server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(address, BACKLOG);
            } catch (IOException e) {
                closeQuietly(server);
                lastError = "probe port '" + name + "' cannot listen on " + where + ": " + reason(e);
                throw new ResourceException(lastError, e);
            }
            Listener listener = new Listener(server);
            current = listener;
            fenced = false;
            lastError = null;
            listener.thread.start();
            if (fences.get() != fenceMark) {
                // fence() ran while we were binding and could not see the new socket.
                closeQuietly(server);
                fenced = true;
                throw new ResourceException("probe port '" + name + "' was fenced while starting");
            }
            log.info("Probe port '{}' listening on {} ({})", name, listener.address, mode);
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
        if (l != null && !l.server.isClosed()) {
            fenced = true;
            closeQuietly(l.server); // wakes a blocked accept() without waiting for it
            log.warn("Probe port '{}' fenced: closed {}", name, l.address);
        }
        synchronized (pauseMonitor) {
            pauseMonitor.notifyAll();
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
        final String address;
        final Thread thread;
        final ThreadPoolExecutor handlers;

        Listener(ServerSocket server) {
            this.server = server;
            this.address = describe(server.getInetAddress(), server.getLocalPort());
            this.thread = new Thread(this::acceptLoop, "probe-port-" + name);
            this.thread.setDaemon(true);
            if (mode == ProbeMode.HTTP) {
                AtomicInteger n = new AtomicInteger();
                handlers = new ThreadPoolExecutor(0, HTTP_MAX_HANDLERS, 10, TimeUnit.SECONDS,
                        new SynchronousQueue<>(), r -> {
                            Thread t = new Thread(r, "probe-port-" + name + "-http-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
            } else {
                handlers = null;
            }
        }

        void acceptLoop() {
            try {
                while (!server.isClosed()) {
                    if (!awaitNotPaused(server)) {
                        break;
                    }
                    Socket socket;
                    try {
                        socket = server.accept();
                    } catch (IOException e) {
                        if (server.isClosed()) {
                            break;
                        }
                        log.warn("Probe port '{}' accept failed: {}", name, e.toString());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // e.g. out of file descriptors
                        continue;
                    }
                    probes.incrementAndGet();
                    if (handlers == null && !held()) {
                        // Back from a freeze (SIGSTOP, a long pause) with the lease over: this accept
                        // just made room in the backlog, so close the listener before anything else,
                        // or the kernel completes another probe's handshake before the fence comes.
                        log.warn("Probe port '{}': lease over, closing {}", name, address);
                        closeQuietly(server);
                        closeQuietly(socket);
                        break;
                    }
                    if (handlers == null) {
                        closeQuietly(socket);
                    } else {
                        try {
                            handlers.execute(() -> answerHttp(socket));
                        } catch (RejectedExecutionException e) {
                            closeQuietly(socket);
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                log.error("Probe port '{}' accept thread died; closing the port", name, e);
                closeQuietly(server);
                throw e;
            }
        }

        void shutdown() {
            closeQuietly(server);
            synchronized (pauseMonitor) {
                pauseMonitor.notifyAll();
            }
            if (handlers != null) {
                handlers.shutdownNow();
            }
            if (thread.isAlive() && thread != Thread.currentThread()) {
                try {
                    thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
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

    private void answerHttp(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            String requestLine = readRequestHead(socket);
            if (requestLine == null) {
                return;
            }
            boolean head = requestLine.regionMatches(true, 0, "HEAD ", 0, 5);
            boolean held = held();
            String status = held ? "200 OK" : "503 Service Unavailable";
            byte[] body = ((held ? "active " : "standby ") + name + "\n").getBytes(StandardCharsets.UTF_8);
            String headers = "HTTP/1.1 " + status + "\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Cache-Control: no-store\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(headers.getBytes(StandardCharsets.US_ASCII));
            if (!head) {
                out.write(body);
            }
            out.flush();
            socket.shutdownOutput();
        } catch (IOException e) {
            log.debug("Probe port '{}': HTTP probe failed: {}", name, e.toString());
        }
    }

    /**
     * Reads the request line and headers up to the blank line, within {@link #HTTP_READ_TIMEOUT_MS}
     * and {@link #HTTP_MAX_REQUEST_BYTES}. Returns the request line, or null if none arrived.
     */
    private static String readRequestHead(Socket socket) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HTTP_READ_TIMEOUT_MS);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[HTTP_MAX_REQUEST_BYTES];
        int len = 0;
        while (len < buf.length && !headComplete(buf, len)) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                break;
            }
            socket.setSoTimeout((int) remainingMs);
            int n;
            try {
                n = in.read(buf, len, buf.length - len);
            } catch (SocketTimeoutException e) {
                break;
            }
            if (n < 0) {
                break;
            }
            len += n;
        }
        int eol = indexOf(buf, len, (byte) '\n');
        if (eol < 0) {
            return null; // not even a request line: do not answer
        }
        return new String(buf, 0, eol, StandardCharsets.ISO_8859_1).trim();
    }

    private static boolean headComplete(byte[] b, int len) {
        for (int i = 1; i < len; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] b, int len, byte x) {
        for (int i = 0; i < len; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
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
