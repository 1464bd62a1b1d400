package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.EpochGuard;
import io.baton.resources.mirror.wire.ErrorPayload;
import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameException;
import io.baton.resources.mirror.wire.FrameFields;
import io.baton.resources.mirror.wire.FrameType;
import io.baton.resources.mirror.wire.HelloPayload;
import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.wire.ResyncBeginPayload;
import io.baton.resources.mirror.wire.ResyncEndPayload;
import io.baton.resources.mirror.meta.Superblock;
import io.baton.resources.mirror.datapath.WriteBehind;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby side of one mirror resource: applies the primary's frames to the local data area, in
 * the order they arrived, and answers them.
 *
 * <p>Every frame goes through one single-threaded executor: disk writes and fsyncs may block for a
 * long time and must not stall the event loop (which serves other resources), and a single thread
 * keeps the order of application equal to the order of the frames, which is what makes both replicas
 * end up with the same bytes when writes overlap.
 *
 * <p>Every frame's epoch passes the {@link EpochGuard} first (S4): a frame from a deposed owner is
 * answered FENCED and its connection closed; a higher epoch is persisted before the frame is acted on.
 * Only one primary connection is served at a time: a HELLO that passes the guard replaces the
 * previous connection, whose frames still queued are dropped.
 *
 * <p>Ownership: the caller opens and closes the data channel and the metadata area; {@link #close}
 * only stops serving (unregister it from the {@link ReplicaServer} first).
 */
public final class ReplicaTarget implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaTarget.class);

    private final FileChannel data;
    private final MetadataArea area;
    private final EpochGuard guard;
    private final String resourceId;
    private final long sizeBytes;
    private final ExecutorService executor;
    /** The executor's queue, to see whether more frames wait (see {@link #reply}). */
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** The connection of the current primary; touched only on the executor. */
    private Channel active;
    private final WriteBehind writeBehind;
    /** A received write whose writeback starts once the acks are flushed; touched only on the executor. */
    private long writtenOffset = -1;
    private long writtenLength;
    /** Channels with acks written but not flushed; touched only on the executor. */
    private final java.util.Set<Channel> unflushed = new java.util.HashSet<>();

    /**
     * @param data the local data area (image file or block device), at least as large as the area says
     * @param area the open metadata area of this replica
     */
    public ReplicaTarget(FileChannel data, MetadataArea area) throws IOException {
        this(data, WriteBehind.NONE, area);
    }

    /**
     * @param writeBehind starts the writeback of large received writes early, once their ack is out
     *                    (the caller closes it after this target)
     */
    public ReplicaTarget(FileChannel data, WriteBehind writeBehind, MetadataArea area) throws IOException {
        this.writeBehind = Objects.requireNonNull(writeBehind, "writeBehind");
        this.data = Objects.requireNonNull(data, "data");
        this.area = Objects.requireNonNull(area, "area");
        Superblock sb = area.current();
        this.resourceId = sb.resourceId();
        this.sizeBytes = sb.dataSizeBytes();
        if (data.size() < sizeBytes) {
            throw new IOException("data area of mirror resource " + resourceId + " is " + data.size()
                    + " bytes, its metadata says " + sizeBytes);
        }
        this.guard = new EpochGuard(area);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "mirror-target-" + resourceId);
            t.setDaemon(true);
            return t;
        });
    }

    public String resourceId() {
        return resourceId;
    }

    /** The replica's durable state. */
    public Superblock superblock() {
        return area.current();
    }

    /**
     * A frame from {@code ch}; called on the event loop, applied on the executor. Takes its own
     * reference to an {@link InboundData} (the caller keeps and releases its one).
     */
    void receive(Channel ch, FrameFields frame) {
        ReferenceCountUtil.retain(frame);
        boolean queued = submit(ch, () -> {
            try {
                apply(ch, frame);
            } finally {
                ReferenceCountUtil.release(frame);
            }
        });
        if (!queued) {
            ReferenceCountUtil.release(frame);
        }
    }

    /** {@code ch} closed; forget it if it is the current primary's. */
    void disconnected(Channel ch) {
        submit(ch, () -> {
            if (active == ch) {
                active = null;
            }
        });
    }

    /** Queues {@code task}; false (and the channel closed) if this target is closed. */
    private boolean submit(Channel ch, Runnable task) {
        try {
            executor.execute(() -> {
                task.run();
                flushIfIdle();
                startWriteback();
            });
            return true;
        } catch (RejectedExecutionException e) {
            ch.close(); // closed target: the primary sees the link drop
            return false;
        }
    }

    private void apply(Channel ch, FrameFields frame) {
        if (frame.type() != FrameType.HELLO && ch != active) {
            return; // queued from a connection since replaced or closed: never apply it
        }
        try {
            // A HELLO for another resource or size must not raise the epoch: a misconfigured node
            // would otherwise fence the rightful primary.
            if (frame.type() == FrameType.HELLO && !sameReplica(ch, (Frame) frame)) {
                return;
            }
            if (!guard.admit(frame.epoch()).admitted()) {
                log.warn("mirror {}: refusing {} at epoch {} from {}: highest epoch seen is {} (deposed primary)",
                        resourceId, frame.type(), frame.epoch(), ch.remoteAddress(), guard.highestEpochSeen());
                if (ch == active) {
                    active = null;
                }
                ch.writeAndFlush(guard.fencedAnswer(frame.seq())).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            switch (frame.type()) {
                case HELLO -> hello(ch, (Frame) frame);
                case WRITE, RS_DATA -> {
                    write(frame);
                    reply(ch, frame.type() == FrameType.WRITE ? FrameType.WRITE_ACK : FrameType.RS_ACK, frame);
                }
                case FLUSH -> {
                    data.force(false);
                    reply(ch, FrameType.FLUSH_ACK, frame);
                }
                case RS_BEGIN -> {
                    beginResync(ResyncBeginPayload.from((Frame) frame));
                    reply(ch, FrameType.RS_ACK, frame);
                }
                case RS_END -> {
                    data.force(false);
                    endResync(ResyncEndPayload.from((Frame) frame));
                    reply(ch, FrameType.RS_ACK, frame);
                }
                default -> throw new FrameException("a mirror target does not accept " + frame.type() + " frames");
            }
        } catch (IOException | RuntimeException e) {
            // A disk or protocol error: stop this connection; the primary marks what we lack as dirty.
            log.error("mirror {}: {} seq {} from {} failed, closing the connection: {}", resourceId, frame.type(),
                    frame.seq(), ch.remoteAddress(), e.toString());
            refuse(ch, frame, e.getMessage());
        }
    }

    /** Whether a HELLO offers this replica's resource and size; refuses the connection if not. */
    private boolean sameReplica(Channel ch, Frame frame) throws IOException {
        HelloPayload theirs = HelloPayload.from(frame);
        Superblock sb = area.current();
        if (!theirs.resourceId().equals(sb.resourceId()) || theirs.dataSizeBytes() != sb.dataSizeBytes()
                || theirs.blockSizeBytes() != sb.blockSizeBytes()) {
            String why = "node " + sb.nodeId() + " refuses primary " + theirs.nodeId() + ": it offers resource "
                    + theirs.resourceId() + " of " + theirs.dataSizeBytes() + " bytes in blocks of "
                    + theirs.blockSizeBytes() + ", this replica is resource " + sb.resourceId() + " of "
                    + sb.dataSizeBytes() + " bytes in blocks of " + sb.blockSizeBytes();
            log.error("mirror {}: {}", resourceId, why);
            refuse(ch, frame, why);
            return false;
        }
        return true;
    }

    private void hello(Channel ch, Frame frame) throws IOException {
        HelloPayload theirs = HelloPayload.from(frame);
        if (active != null && active != ch) {
            log.info("mirror {}: primary {} at epoch {} replaces the connection from {}", resourceId,
                    theirs.nodeId(), frame.epoch(), active.remoteAddress());
            active.close();
        }
        active = ch;
        // Crashed as primary: the activity log tells the new primary where we may differ from it.
        ch.writeAndFlush(HelloPayload.ofReplica(area.current(), area.activityLog())
                .toFrame(guard.highestEpochSeen(), frame.seq()));
    }

    /** WRITE and RS_DATA reach a target only as {@link InboundData} ({@link FrameDecoder} makes them). */
    private void write(FrameFields frame) throws IOException {
        if (!(frame instanceof InboundData d)) {
            throw new FrameException(frame.type() + " frame seq " + frame.seq() + " arrived without its data slice");
        }
        long offset = d.offsetBytes();
        ByteBuffer src = d.data();
        if (offset > sizeBytes - src.remaining()) {
            throw new FrameException(frame.type() + " of " + src.remaining() + " bytes at " + offset
                    + " is outside the data area of " + sizeBytes + " bytes");
        }
        long length = src.remaining();
        for (long pos = offset; src.hasRemaining(); ) {
            pos += data.write(src, pos);
        }
        writtenOffset = offset;
        writtenLength = length;
    }

    /** Persisted before any RS_DATA: this replica is mid-resync (never promotable) and carries the source's label. */
    private void beginResync(ResyncBeginPayload begin) throws IOException {
        area.update(sb -> relabel(sb, begin.labelGenerationId())
                .withFlag(Superblock.Flag.RESYNC_IN_PROGRESS, true)
                // The source's bitmap now covers whatever this replica wrote as a crashed primary.
                .withFlag(Superblock.Flag.WAS_PRIMARY, false));
    }

    private void endResync(ResyncEndPayload end) throws IOException {
        area.update(sb -> relabel(sb, end.generationId())
                .withFlag(Superblock.Flag.RESYNC_IN_PROGRESS, false)
                .withResyncCursorBlock(0));
    }

    private static Superblock relabel(Superblock sb, long generationId) {
        return sb.currentGenerationId() == generationId ? sb : sb.withNewGeneration(generationId);
    }

    /** Acks are written here and flushed by {@link #submit} once no frame waits. */
    private void reply(Channel ch, FrameType type, FrameFields to) {
        ch.write(Frame.empty(type, to.epoch(), to.seq()));
        unflushed.add(ch);
    }

    /**
     * Sends the acks written so far, unless more frames are queued: the last of a burst of pipelined
     * resync chunks sends all their acks at once instead of one packet each.
     */
    private void flushIfIdle() {
        if (queue.isEmpty() && !unflushed.isEmpty()) {
            unflushed.forEach(Channel::flush);
            unflushed.clear();
        }
    }

    /** After the ack left: the write's writeback starts while the primary sends the next one. */
    private void startWriteback() {
        if (writtenOffset >= 0) {
            writeBehind.written(writtenOffset, writtenLength);
            writtenOffset = -1;
        }
    }

    private void refuse(Channel ch, FrameFields frame, String why) {
        if (ch == active) {
            active = null;
        }
        ch.writeAndFlush(new ErrorPayload(why).toFrame(frame.epoch(), frame.seq()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Stops applying frames and closes the current primary's connection; the data and area stay open. */
    @Override
    public void close() {
        executor.execute(() -> {
            if (active != null) {
                active.close();
                active = null;
            }
        });
        executor.shutdown();
        try {
            executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
