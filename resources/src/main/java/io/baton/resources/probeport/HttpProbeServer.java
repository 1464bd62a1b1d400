package io.baton.resources.probeport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the HTTP probes of a {@link ProbePortResource} in {@code mode: http}: one thread and one
 * selector for every connection, so a slow client costs a file descriptor and a buffer, never a
 * thread, and cannot hold back anyone else's check.
 *
 * <p>The accept thread of the probe port hands each accepted connection over with {@link #offer}.
 * The limits ({@link Limits}, values in docs/configuration.md):
 * <table>
 *   <caption>Limits of HTTP mode</caption>
 *   <tr><th>limit</th><th>when it is reached</th></tr>
 *   <tr><td>{@code maxConnections}</td><td>a connection beyond it is closed at once, unanswered
 *       (not queued)</td></tr>
 *   <tr><td>{@code firstByteMs}</td><td>from the accept, no byte yet: closed unanswered</td></tr>
 *   <tr><td>{@code requestMs}</td><td>from the accept: answered if a request line arrived (the rest
 *       of the head need not), else closed; a reply not written by then is abandoned</td></tr>
 *   <tr><td>{@code maxRequestBytes}</td><td>the head read so far is taken as it is</td></tr>
 * </table>
 * A deadline is checked after one last read, so bytes that arrived while this thread was not
 * looking (a GC pause, a busy machine) still count.
 */
final class HttpProbeServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpProbeServer.class);

    /** The limits of HTTP mode. */
    record Limits(int maxConnections, long firstByteMs, long requestMs, int maxRequestBytes) {
        /** 128 connections; 100 ms to the first byte, 1 s to the request line and headers; 8 KiB. */
        static final Limits DEFAULT = new Limits(128, 100, 1000, 8192);

        Limits {
            if (maxConnections < 1 || firstByteMs < 1 || requestMs < firstByteMs || maxRequestBytes < 16) {
                throw new IllegalArgumentException("bad HTTP probe limits: " + this);
            }
        }
    }

    private final String name;
    private final Limits limits;
    private final BooleanSupplier held;
    private final Runnable onDeath;
    private final Selector selector;
    private final Thread thread;
    private final Queue<SocketChannel> handedOver = new ConcurrentLinkedQueue<>();
    /** Connections offered and not yet closed, handed over or not. */
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean running = true;

    /**
     * @param held    whether to answer 200 (else 503); must not throw
     * @param onDeath run if the thread ends other than by {@link #close} (the probe port closes itself)
     */
    HttpProbeServer(String name, Limits limits, BooleanSupplier held, Runnable onDeath) throws IOException {
        this.name = name;
        this.limits = limits;
        this.held = held;
        this.onDeath = onDeath;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "probe-port-" + name + "-http");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Takes over an accepted connection; false (the caller closes it) beyond
     * {@link Limits#maxConnections} or once closed.
     */
    boolean offer(SocketChannel channel) {
        if (!running) {
            return false;
        }
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            return false;
        }
        handedOver.add(channel);
        if (!running) {
            drainHandedOver(); // closed meanwhile: the thread may be past its last look at the queue
        }
        selector.wakeup();
        return true;
    }

    /** Connections held now (for tests and status). */
    int openConnections() {
        return open.get();
    }

    /** Closes every connection, unanswered, and ends the thread (waits for it at most 2 s). */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!thread.isAlive()) {
            closeAll(); // the thread never ran, or is gone: nothing else touches the selector now
        }
    }

    // ---- the selector thread ----

    /** One connection's progress. */
    private final class Conn {
        final SocketChannel channel;
        final long acceptedNanos;
        final byte[] head = new byte[limits.maxRequestBytes()];
        int length;
        /** The reply being written, once there is one. */
        ByteBuffer reply;

        Conn(SocketChannel channel, long acceptedNanos) {
            this.channel = channel;
            this.acceptedNanos = acceptedNanos;
        }

        long deadlineNanos() {
            long ms = length == 0 && reply == null ? limits.firstByteMs() : limits.requestMs();
            return acceptedNanos + TimeUnit.MILLISECONDS.toNanos(ms);
        }
    }

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                registerHandedOver(now);
                long next = expire(now);
                long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()) + 1);
                selector.select(waitMs);
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        write(key, c);
                    } else if (key.isValid() && key.isReadable()) {
                        read(key, c);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                log.error("Probe port '{}': HTTP thread died; closing the port", name, e);
            }
        } finally {
            boolean unexpected = running;
            running = false;
            closeAll();
            if (unexpected) {
                onDeath.run();
            }
        }
    }

    private void registerHandedOver(long now) {
        SocketChannel ch;
        while ((ch = handedOver.poll()) != null) {
            try {
                ch.configureBlocking(false);
                ch.socket().setTcpNoDelay(true);
                ch.register(selector, SelectionKey.OP_READ, new Conn(ch, now));
            } catch (IOException e) {
                closeChannel(ch);
            }
        }
    }

    /** Ends the connections past their deadline; returns the next deadline (at most 1 s ahead). */
    private long expire(long now) {
        long next = now + TimeUnit.SECONDS.toNanos(1);
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            Conn c = (Conn) key.attachment();
            if (!key.isValid() || c == null) {
                continue;
            }
            if (now - c.deadlineNanos() >= 0 && c.reply == null) {
                read(key, c); // what arrived meanwhile counts; may answer or close
            }
            if (key.isValid() && now - c.deadlineNanos() >= 0) {
                if (c.reply == null) {
                    answerOrDrop(key, c); // the request deadline: answer what came, if a request line did
                } else {
                    close(key); // a client that does not read its reply within the deadline
                }
            }
            if (key.isValid() && c.deadlineNanos() - next < 0) {
                next = c.deadlineNanos();
            }
        }
        return next;
    }

    private void read(SelectionKey key, Conn c) {
        if (c.reply != null) {
            return;
        }
        try {
            while (c.length < c.head.length) {
                int n = c.channel.read(ByteBuffer.wrap(c.head, c.length, c.head.length - c.length));
                if (n < 0) {
                    answerOrDrop(key, c); // the client is done sending
                    return;
                }
                if (n == 0) {
                    break;
                }
                c.length += n;
            }
        } catch (IOException e) {
            close(key);
            return;
        }
        if (c.length == c.head.length || headComplete(c.head, c.length)) {
            answerOrDrop(key, c);
        }
    }

    /** Answers if a request line arrived; closes unanswered otherwise. */
    private void answerOrDrop(SelectionKey key, Conn c) {
        int eol = indexOf(c.head, c.length, (byte) '\n');
        if (eol < 0) {
            close(key);
            return;
        }
        String requestLine = new String(c.head, 0, eol, StandardCharsets.ISO_8859_1).trim();
        c.reply = ByteBuffer.wrap(reply(requestLine.regionMatches(true, 0, "HEAD ", 0, 5)));
        write(key, c);
    }

    private byte[] reply(boolean head) {
        boolean live = held.getAsBoolean();
        byte[] body = ((live ? "active " : "standby ") + name + "\n").getBytes(StandardCharsets.UTF_8);
        String headers = "HTTP/1.1 " + (live ? "200 OK" : "503 Service Unavailable") + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + "Connection: close\r\n\r\n";
        byte[] h = headers.getBytes(StandardCharsets.US_ASCII);
        if (head) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private void write(SelectionKey key, Conn c) {
        try {
            c.channel.write(c.reply);
            if (c.reply.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE); // a full send buffer: rare for ~150 bytes
                return;
            }
            c.channel.shutdownOutput();
        } catch (IOException e) {
            log.debug("Probe port '{}': HTTP probe failed: {}", name, e.toString());
        }
        close(key);
    }

    private void close(SelectionKey key) {
        key.cancel();
        closeChannel((SocketChannel) key.channel());
    }

    private void closeChannel(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.decrementAndGet();
    }

    private void drainHandedOver() {
        SocketChannel ch;
        while ((ch = handedOver.poll()) != null) {
            closeChannel(ch);
        }
    }

    private void closeAll() {
        drainHandedOver();
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.isValid()) {
                    close(key);
                }
            }
            selector.close(); // also releases the channels cancelled above
        } catch (IOException | ClosedSelectorException ignored) {
            // closing anyway
        }
    }

    static boolean headComplete(byte[] b, int len) {
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
}
