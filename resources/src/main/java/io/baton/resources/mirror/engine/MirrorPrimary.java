package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.ActiveExtents;
import io.baton.resources.mirror.meta.ActivityLog;
import io.baton.resources.mirror.datapath.BlockStore;
import io.baton.resources.mirror.meta.DirtyBitmap;
import io.baton.resources.mirror.meta.Extent;
import io.baton.resources.mirror.wire.Frame;
import io.baton.resources.mirror.wire.FrameCodec;
import io.baton.resources.mirror.wire.FrameType;
import io.baton.resources.mirror.wire.HelloPayload;
import io.baton.resources.mirror.meta.MetadataArea;
import io.baton.resources.mirror.engine.ReplicaStatePort.ReplicaState;
import io.baton.resources.mirror.wire.ResyncBeginPayload;
import io.baton.resources.mirror.wire.ResyncEndPayload;
import io.baton.resources.mirror.wire.ResyncKind;
import io.baton.resources.mirror.meta.Superblock;
import io.baton.resources.mirror.datapath.WriteBehind;
import io.baton.resources.mirror.meta.Superblock.Flag;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's side of a mirror disk with one peer: a {@link BlockStore} whose writes go to the local
 * data area and, synchronously, to the peer (protocol C), and which tracks in the dirty bitmap what
 * the peer lacks while it cannot have it, then resyncs it.
 *
 * <p>Invariants (the reasons for most of the code below):
 * <ul>
 *   <li>A write returns only once the peer holds it, or once the peer is committed (Raft) as not
 *       UpToDate <em>and</em> the write's blocks are in the persisted bitmap. Losing the peer while it is
 *       committed UpToDate therefore "freezes" the write until {@code Outdated(peer)} commits; without
 *       quorum it waits until the lease rule fences this owner ({@link #fence}).</li>
 *   <li>{@link Flag#PEER_TRACKED} on: the bitmap covers every block where the peer, labelled with our
 *       previous (or current) generation, may differ from us.</li>
 *   <li>Writes acknowledged by the peer but not yet covered by a FLUSH_ACK are remembered; if the
 *       link drops they go into the bitmap (the peer may have lost them in a crash).</li>
 *   <li>One lock ({@code io}) serializes a write's local-write-and-send with a resync chunk's
 *       read-and-send, so the peer applies them in the order the primary did.</li>
 *   <li>The activity log: before a write enters a 4 MiB extent that the durable record lacks, a
 *       new record is made durable ({@link ActivityLog}). So after a crash of this node, every block
 *       where the replicas may differ, other than in the bitmap, lies in the record's extents, and a
 *       resync copies those instead of the whole disk, whichever replica becomes the source.</li>
 * </ul>
 *
 * <p>Threads: {@link #write}, {@link #flush}, {@link #read} from the FUSE threads, several writes in
 * flight at once (each waits for its ack outside the lock); {@link #fence}
 * and {@link #status} from any; one peer thread connects, handshakes and resyncs.
 *
 * <p>Ownership: the caller opens and closes the data channel and the metadata area; this class never
 * closes them. Lifecycle: construct, {@link #start}, use, {@link #close} (then close channel and area).
 */
public final class MirrorPrimary implements BlockStore {

    private static final Logger log = LoggerFactory.getLogger(MirrorPrimary.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final String resourceId;
    private final String selfNode;
    /** The peer; changed only by {@link #retarget} (a replaced node), under io. */
    private volatile String peerNode;
    private volatile InetSocketAddress peerAddress;
    private final FileChannel data;
    private final WriteBehind writeBehind;
    private final long sizeBytes;
    private final MetadataArea area;
    private final long epoch;
    private final ReplicaStatePort port;
    private final MirrorSettings settings;
    private final LongSupplier nanoClock;
    private final SecureRandom random = new SecureRandom();
    private final long ackTimeoutMillis;

    /** Serializes writes, flushes and resync steps; see the class comment. */
    private final ReentrantLock io = new ReentrantLock();
    /** Completes on fence or close: wakes every wait. */
    private final CompletableFuture<Void> stop = new CompletableFuture<>();

    // Guarded by io.
    private DirtyBitmap bitmap;
    private ActivityLog activity;
    /** Mirrors {@link Flag#PEER_TRACKED}; volatile only for {@link #status}. */
    private volatile boolean peerTracked;
    /** We asked to commit UpToDate(peer) and have not committed a lower state since. */
    private boolean maybeUpToDate;
    /** The peer state this primary last committed; null before its first record. See {@link #peerCommitted}. */
    private volatile ReplicaState recordedPeerState;
    /**
     * Where the link to the peer stands ({@link PeerPhase}): whether writes go to the peer is read from
     * it. Changed by {@link #step} only (a compare-and-set, so that {@link #fence}, which takes no lock,
     * can make it final while another thread steps).
     */
    private final AtomicReference<PeerPhase> phase = new AtomicReference<>(PeerPhase.DISCONNECTED);
    private final List<long[]> unflushedWrites = new ArrayList<>();

    private volatile PeerLink link;
    private volatile boolean fenced;
    private volatile boolean closed;
    private volatile long resyncPassBytes;
    private volatile long resyncPassDirtyLeft;
    private volatile long dirtyBlocks;
    private volatile long resyncBytesSent;
    private volatile long activityRecords;
    private volatile String lastError;

    private EventLoopGroup group;
    private Thread peerThread;

    /**
     * @param data      the local data area, open for read and write, at least {@code area}'s data size
     * @param area      the open metadata area of the local replica
     * @param epoch     the grant epoch under which this node owns the group
     * @param nanoClock monotonic nanoseconds for the resync rate limit ({@code System::nanoTime})
     */
    public MirrorPrimary(String resourceId, String selfNode, String peerNode, InetSocketAddress peerAddress,
            FileChannel data, MetadataArea area, long epoch, ReplicaStatePort port, MirrorSettings settings,
            LongSupplier nanoClock) throws IOException {
        this(resourceId, selfNode, peerNode, peerAddress, data, WriteBehind.NONE, area, epoch, port, settings, nanoClock);
    }

    /**
     * @param writeBehind starts the local writeback of large writes early (the caller closes it after
     *                    this primary)
     */
    public MirrorPrimary(String resourceId, String selfNode, String peerNode, InetSocketAddress peerAddress,
            FileChannel data, WriteBehind writeBehind, MetadataArea area, long epoch, ReplicaStatePort port,
            MirrorSettings settings, LongSupplier nanoClock) throws IOException {
        this.writeBehind = Objects.requireNonNull(writeBehind, "writeBehind");
        this.resourceId = Objects.requireNonNull(resourceId, "resourceId");
        this.selfNode = Objects.requireNonNull(selfNode, "selfNode");
        this.peerNode = Objects.requireNonNull(peerNode, "peerNode");
        this.peerAddress = Objects.requireNonNull(peerAddress, "peerAddress");
        this.data = Objects.requireNonNull(data, "data");
        this.area = Objects.requireNonNull(area, "area");
        this.port = Objects.requireNonNull(port, "port");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.epoch = epoch;
        Superblock sb = area.current();
        if (!sb.resourceId().equals(resourceId) || !sb.nodeId().equals(selfNode)) {
            throw new IOException("metadata area " + area.path() + " belongs to resource " + sb.resourceId()
                    + " on node " + sb.nodeId() + ", not " + resourceId + " on " + selfNode);
        }
        this.sizeBytes = sb.dataSizeBytes();
        if (data.size() < sizeBytes) {
            throw new IOException("data area of " + resourceId + " is " + data.size() + " bytes, metadata says " + sizeBytes);
        }
        this.ackTimeoutMillis = settings.peerAckTimeout().toMillis();
    }

    /**
     * Takes ownership of the local replica (WAS_PRIMARY, not CLEAN_SHUTDOWN, our epoch) and starts
     * reaching the peer in the background. If we crashed as primary, the extents of our activity log
     * go into the bitmap (with no record, from a build without one: everything); if the peer is
     * committed not UpToDate while we do not track it, everything is marked for a full resync.
     *
     * @throws IOException if the local replica has seen a higher epoch (we are deposed) or metadata I/O fails
     */
    public void start() throws IOException {
        io.lock();
        try {
            Superblock sb = area.current();
            if (sb.highestEpochSeen() > epoch) {
                throw new IOException("mirror " + resourceId + ": the local replica has seen grant epoch "
                        + sb.highestEpochSeen() + ", refusing to be primary at epoch " + epoch);
            }
            boolean crashedAsPrimary = sb.has(Flag.WAS_PRIMARY) && !sb.has(Flag.CLEAN_SHUTDOWN);
            bitmap = area.loadBitmap();
            peerTracked = sb.has(Flag.PEER_TRACKED);
            PeerDecisions.Start start = PeerDecisions.atStart(crashedAsPrimary,
                    crashedAsPrimary ? area.activityLog() : Optional.empty(), peerTracked, port.committed(peerNode));
            if (start.markAll()) {
                bitmap.markAll();
                area.persistBitmap(bitmap);
                log.info("mirror {}: {}; the peer {} needs a full resync", resourceId, start.why(), peerNode);
            } else if (start.markInFlight().isPresent()) {
                ActiveExtents inFlight = start.markInFlight().get();
                inFlight.markIn(bitmap);
                area.persistBitmap(bitmap);
                log.info("mirror {}: {}; the peer {} gets the {} extents of its activity log ({} MiB) besides what"
                        + " the bitmap held", resourceId, start.why(), peerNode, inFlight.count(), inFlight.bytes() >> 20);
            }
            // The old record is in the bitmap now: this primary starts an empty one (before WAS_PRIMARY).
            if (settings.activityLog()) {
                activity = new ActivityLog(area.writeActivityLog(ActiveExtents.none(0)));
            } else {
                area.forgetActivityLog();
            }
            boolean rotate = start.startTracking();
            area.update(s -> {
                Superblock n = s.highestEpochSeen() >= epoch ? s : s.withHighestEpochSeen(epoch);
                if (n.currentGenerationId() == 0) {
                    n = n.withNewGeneration(newGenerationId()); // first data of this lineage
                }
                if (rotate) {
                    n = n.withNewGeneration(newGenerationId()).withFlag(Flag.PEER_TRACKED, true);
                }
                return n.withFlag(Flag.WAS_PRIMARY, true).withFlag(Flag.CLEAN_SHUTDOWN, false);
            });
            peerTracked = area.current().has(Flag.PEER_TRACKED);
            // A peer committed UpToDate that we now track must be demoted before a write completes:
            // writes in the tracked state call ensurePeerNotUpToDate.
            publish();
        } finally {
            io.unlock();
        }
        group = NettyIo.ioFlusherGroup("mirror-primary-" + resourceId, 1);
        peerThread = new Thread(this::peerLoop, "mirror-peer-" + resourceId);
        peerThread.setDaemon(true);
        peerThread.start();
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public int read(long offsetBytes, ByteBuffer dst) throws IOException {
        checkOpen();
        if (offsetBytes < 0 || offsetBytes > sizeBytes) {
            throw new IOException("read at " + offsetBytes + " is outside the " + sizeBytes + "-byte mirror " + resourceId);
        }
        ByteBuffer d = dst.duplicate();
        d.limit(d.position() + (int) Math.min(d.remaining(), sizeBytes - offsetBytes));
        int total = 0;
        while (d.hasRemaining()) {
            int n = data.read(d, offsetBytes + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        dst.position(dst.position() + total);
        return total;
    }

    /** Writes {@code src} (consumed) locally and to the peer; see the class comment for when it returns. */
    @Override
    public void write(long offsetBytes, ByteBuffer src) throws IOException {
        int length = src.remaining();
        if (offsetBytes < 0 || offsetBytes > sizeBytes - length) {
            throw new IOException("write of " + length + " bytes at " + offsetBytes + " is outside the "
                    + sizeBytes + "-byte mirror " + resourceId);
        }
        if (length == 0) {
            return;
        }
        PeerLink l;
        CompletableFuture<Frame> ack = null;
        IOException localFailure = null;
        io.lock();
        try {
            checkOpen();
            recordActivity(offsetBytes, length);
            l = link;
            if (phase.get().forwarding() && l != null && length <= FrameCodec.MAX_DATA_BYTES) {
                // The frame leaves first and the local write happens while it travels, so that the
                // two replicas write at the same time. A local write that fails still waits for the
                // peer and then fails: like a failed write on a plain disk, the block's content is
                // undefined to the application, and here the peer may hold the new one.
                ack = l.sendData(FrameType.WRITE, epoch, offsetBytes, src.duplicate());
                // Remembered from the moment it is sent: if the link ends before a FLUSH_ACK covers
                // it, the lost-link handling (whichever thread runs it) puts it into the bitmap.
                unflushedWrites.add(new long[] {offsetBytes, length});
                try {
                    writeLocal(offsetBytes, src.duplicate());
                } catch (IOException e) {
                    localFailure = e;
                }
            } else {
                writeLocal(offsetBytes, src.duplicate());
                replicate(offsetBytes, src.duplicate());
            }
            src.position(src.limit());
        } finally {
            io.unlock();
        }
        if (ack != null) {
            writeBehind.written(offsetBytes, length); // while the frame travels
            awaitWriteAck(l, ack);
            if (localFailure != null) {
                throw localFailure;
            }
        }
    }

    /**
     * The peer's answer to a sent write, awaited outside the lock: the loop device has several
     * writes in flight (asynchronous direct I/O), and each would otherwise wait a whole round trip
     * before the next could leave. Both replicas still apply writes in one order, the order the lock
     * sent and wrote them in. No ack: the link is given up, which (under the lock) commits the peer
     * Outdated if need be and puts every unflushed write, this one included, into the persisted
     * bitmap before this write returns. An ack on a link that another thread gave up meanwhile: that
     * thread already recorded this write with the others.
     */
    private void awaitWriteAck(PeerLink l, CompletableFuture<Frame> ack) throws IOException {
        IOException peerFailure = null;
        try {
            awaitAck(l, ack, FrameType.WRITE_ACK);
        } catch (IOException e) {
            peerFailure = e;
        }
        io.lock();
        try {
            if (peerFailure != null) {
                checkOpen();
                lostLink(l, peerFailure.getMessage());
            } else if (link == l) {
                noteUnflushed(l);
            }
        } finally {
            io.unlock();
        }
    }

    /**
     * Makes sure the activity log's durable record holds the write's extents before the write goes
     * anywhere, flushing first when too many extents were written since the last flush. io held.
     */
    private void recordActivity(long offsetBytes, long length) throws IOException {
        while (activity != null) {
            switch (activity.before(offsetBytes, length)) {
                case WRITE:
                    return;
                case RECORD:
                    area.writeActivityLog(activity.pending());
                    activity.recorded(offsetBytes, length);
                    activityRecords++;
                    return;
                case FLUSH_FIRST:
                    flush();
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
    }

    private void writeLocal(long offsetBytes, ByteBuffer local) throws IOException {
        for (long pos = offsetBytes; local.hasRemaining(); ) {
            pos += data.write(local, pos);
        }
    }

    /** Local fdatasync, and FLUSH on the peer while it is in sync or being resynced, both at once. */
    @Override
    public void flush() throws IOException {
        io.lock();
        try {
            checkOpen();
            // FLUSH leaves before the local fdatasync so that the two syncs overlap.
            PeerLink l = link;
            CompletableFuture<Frame> ack = phase.get().forwarding() && l != null
                    ? l.send(Frame.empty(FrameType.FLUSH, epoch, l.nextSeq())) : null;
            data.force(false);
            if (ack != null) {
                try {
                    awaitAck(l, ack, FrameType.FLUSH_ACK);
                    unflushedWrites.clear();
                } catch (IOException e) {
                    checkOpen();
                    lostLink(l, e.getMessage());
                }
            }
            // Every earlier write is durable on both replicas now, or in the persisted bitmap.
            if (activity != null) {
                activity.flushed();
            }
        } finally {
            io.unlock();
        }
    }

    /** From any thread: every waiting and later write or flush fails at once; the peer link closes. */
    @Override
    public void fence() {
        step(PeerPhase.Event.STOPPED);
        if (!fenced) {
            fenced = true;
            log.warn("mirror {}: fenced; writes fail from now on", resourceId);
        }
        stop.complete(null);
        PeerLink l = link;
        if (l != null) {
            l.close("primary fenced");
        }
    }

    /**
     * Flushes, records a clean shutdown (CLEAN_SHUTDOWN on, WAS_PRIMARY off) if not fenced and the
     * flush succeeded, and stops the peer thread. Does not close the data channel or metadata area.
     * May wait as long as a flush can (a frozen write); {@link #fence} first to stop at once.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            if (!fenced) {
                flush();
                io.lock();
                try {
                    area.update(s -> s.withFlag(Flag.CLEAN_SHUTDOWN, true).withFlag(Flag.WAS_PRIMARY, false));
                } finally {
                    io.unlock();
                }
            }
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        step(PeerPhase.Event.STOPPED);
        stop.complete(null);
        PeerLink l = link;
        if (l != null) {
            l.close("primary closing");
        }
        if (peerThread != null) {
            try {
                peerThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** An immutable snapshot of the peer's replication state. */
    public MirrorStatus status() {
        PeerLink l = link;
        boolean connected = l != null && l.isOpen();
        long passBytes = resyncPassBytes;
        int progress = passBytes == 0 ? 100
                : (int) Math.max(0, Math.min(100, (passBytes - resyncPassDirtyLeft) * 100 / passBytes));
        PeerPhase p = phase.get();
        return new MirrorStatus(peerNode, connected, connected && p.forwarding() && !peerTracked,
                peerCommitted(), p.syncing(), progress, dirtyBlocks * DirtyBitmap.BLOCK_SIZE_BYTES,
                resyncBytesSent, fenced, lastError, activityRecords);
    }

    // ---- write path (io held) ----

    private void replicate(long offsetBytes, ByteBuffer src) throws IOException {
        long length = src.remaining();
        PeerLink l = link;
        if (phase.get().forwarding() && l != null) {
            try {
                // Larger than one frame (never from FUSE, which caps at 1 MiB): one frame per piece.
                for (long pos = offsetBytes; src.hasRemaining(); ) {
                    ByteBuffer piece = src.slice();
                    piece.limit(Math.min(piece.remaining(), FrameCodec.MAX_DATA_BYTES));
                    int n = piece.remaining();
                    awaitAck(l, l.sendData(FrameType.WRITE, epoch, pos, piece), FrameType.WRITE_ACK);
                    pos += n;
                    src.position(src.position() + n);
                }
                acknowledged(l, offsetBytes, length);
            } catch (IOException e) {
                notAcknowledged(l, offsetBytes, length, e);
            }
            return;
        }
        notReplicated(offsetBytes, length);
    }

    /** The peer holds the write: it stays on the unflushed list until the next FLUSH_ACK. io held. */
    private void acknowledged(PeerLink l, long offsetBytes, long length) throws IOException {
        unflushedWrites.add(new long[] {offsetBytes, length});
        noteUnflushed(l);
    }

    /** The peer may lack the write: the link is given up and the write goes into the bitmap. io held. */
    private void notAcknowledged(PeerLink l, long offsetBytes, long length, IOException why) throws IOException {
        checkOpen();
        unflushedWrites.add(new long[] {offsetBytes, length});
        lostLink(l, why.getMessage());
    }

    /** Bounds the list of acknowledged-but-unflushed writes by flushing the peer. */
    private void noteUnflushed(PeerLink l) throws IOException {
        if (unflushedWrites.size() >= settings.maxUnflushedWrites()) {
            try {
                flushPeer(l);
            } catch (IOException e) {
                checkOpen();
                lostLink(l, e.getMessage());
            }
        }
    }

    private void flushPeer(PeerLink l) throws IOException {
        awaitAck(l, l.send(Frame.empty(FrameType.FLUSH, epoch, l.nextSeq())), FrameType.FLUSH_ACK);
        unflushedWrites.clear();
    }

    /**
     * The link {@code l} failed: stop using it and put what the peer may lack (the unflushed writes)
     * into the bitmap, demoting the peer first if it is committed UpToDate. Idempotent.
     */
    private void lostLink(PeerLink l, String why) throws IOException {
        boolean record;
        if (link == l) {
            link = null;
            record = step(PeerPhase.Event.LOST).contains(PeerPhase.Action.RECORD_UNFLUSHED);
            lastError = why;
            log.warn("mirror {}: lost peer {}: {}", resourceId, peerNode, why);
        } else {
            // A link already given up (another thread did): the phase belongs to whatever came after.
            record = !unflushedWrites.isEmpty();
        }
        l.close(why);
        if (record) {
            notReplicated(-1, 0);
        }
    }

    /**
     * Completes a write ({@code offsetBytes} >= 0) or a link loss that the peer does not have: the freeze
     * rule, then the blocks (and every unflushed write) into the persisted bitmap.
     */
    private void notReplicated(long offsetBytes, long length) throws IOException {
        if (!peerTracked) {
            ensurePeerNotUpToDate(ReplicaState.OUTDATED);
            if (offsetBytes >= 0) {
                bitmap.mark(offsetBytes, length);
            }
            markUnflushed();
            area.persistBitmap(bitmap);
            area.update(s -> s.withNewGeneration(newGenerationId()).withFlag(Flag.PEER_TRACKED, true));
            peerTracked = true;
            log.warn("mirror {}: peer {} is Outdated; tracking its missing blocks from generation {}", resourceId,
                    peerNode, Long.toHexString(area.current().previousGenerationId()));
        } else {
            ensurePeerNotUpToDate(ReplicaState.INCONSISTENT);
            if (offsetBytes >= 0) {
                bitmap.mark(offsetBytes, length);
            }
            markUnflushed();
            area.persistBitmap(bitmap);
        }
        publish();
    }

    private void markUnflushed() {
        for (long[] w : unflushedWrites) {
            bitmap.mark(w[0], w[1]);
        }
        unflushedWrites.clear();
    }

    /** If the peer is (or may become) committed UpToDate, commits {@code state} for it, retrying until fenced. */
    private void ensurePeerNotUpToDate(ReplicaState state) throws IOException {
        if (maybeUpToDate || peerCommitted() == ReplicaState.UP_TO_DATE) {
            commitPeerState(state);
            maybeUpToDate = false;
        }
    }

    /**
     * The peer's committed state as this primary knows it: what it recorded itself, once it has. Only
     * the owner at its epoch changes a replica state, so its own last record is the truth; the local
     * replica of the Raft state ({@code port.committed}) may not have applied it yet when the commit
     * returns, and reading that stale UpToDate once made a second write commit Inconsistent.
     */
    private ReplicaState peerCommitted() {
        ReplicaState mine = recordedPeerState;
        return mine != null ? mine : port.committed(peerNode);
    }

    /** Commits {@code state} for the peer; without quorum it retries until fenced or closed. */
    private void commitPeerState(ReplicaState state) throws IOException {
        while (true) {
            checkOpen();
            CompletableFuture<Void> f = port.record(peerNode, state);
            try {
                CompletableFuture.anyOf(f, stop).get();
                checkOpen();
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    recordedPeerState = state;
                    log.info("mirror {}: committed {}({})", resourceId, state, peerNode);
                    return;
                }
            } catch (ExecutionException e) {
                checkOpen();
                lastError = "cannot commit " + state + "(" + peerNode + "): " + e.getCause().getMessage();
                log.warn("mirror {}: {}; writes wait and retry", resourceId, lastError);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while committing " + state + "(" + peerNode + ")", e);
            }
            Waits.sleepUnless(stop, settings.reconnectInterval().toNanos());
        }
    }

    private Frame awaitAck(PeerLink l, CompletableFuture<Frame> ack, FrameType expected) throws IOException {
        Frame f;
        try {
            f = Waits.get(ack, ackTimeoutMillis, () -> "mirror peer " + peerNode + " " + expected);
        } catch (IOException e) {
            l.close(e.getMessage());
            throw e;
        }
        if (f.type() != expected) {
            l.close("expected " + expected + ", got " + f.type());
            throw new IOException("mirror peer " + peerNode + " answered " + f.type() + " where " + expected + " was due");
        }
        return f;
    }

    /**
     * The peer is now {@code node} at {@code address} (its old one was replaced: batonctl node replace).
     * The link to the old peer is dropped and this primary forgets what it recorded of it; the new
     * peer's HELLO then shows another lineage (a new replica has none), so it gets a full resync and
     * UpToDate only when that ends. Under io: no resync step of the old link runs across it, so no
     * resync of the old peer is ever recorded as the new one's.
     */
    public void retarget(String node, InetSocketAddress address) throws IOException {
        io.lock();
        try {
            if (node.equals(peerNode) && address.equals(peerAddress)) {
                return;
            }
            String was = peerNode;
            peerNode = Objects.requireNonNull(node, "node");
            peerAddress = Objects.requireNonNull(address, "address");
            recordedPeerState = null;
            maybeUpToDate = false;
            PeerLink l = link;
            if (l != null) {
                lostLink(l, "peer " + was + " replaced by " + node);
            }
            lastError = "peer " + was + " replaced by " + node + ": connecting to " + address;
            log.info("mirror {}: the peer is now {} at {} (was {}): it gets a full resync", resourceId, node, address, was);
        } finally {
            io.unlock();
        }
    }

    // ---- peer thread ----

    private void peerLoop() {
        while (!stop.isDone()) {
            PeerLink l = null;
            try {
                l = PeerLink.connect(group, peerAddress, CONNECT_TIMEOUT_MILLIS, this::fencedByPeer, settings.tls(), peerNode);
                step(PeerPhase.Event.CONNECTED);
                HelloPayload theirs = l.handshake(HelloPayload.of(area.current()), epoch, ackTimeoutMillis);
                checkPeer(theirs);
                session(l, theirs);
            } catch (IOException | RuntimeException e) {
                if (!stop.isDone()) {
                    String why = l != null && !l.isOpen() ? l.closeReason() : e.getMessage();
                    if (!Objects.equals(why, lastError)) {
                        log.info("mirror {}: peer {} at {}: {}", resourceId, peerNode, peerAddress, why);
                    }
                    lastError = why;
                }
            } finally {
                if (l != null) {
                    detach(l);
                }
            }
            Waits.sleepUnless(stop, settings.reconnectInterval().toNanos());
        }
    }

    private void detach(PeerLink l) {
        io.lock();
        try {
            if (phase.get() == PeerPhase.HANDSHAKING) {
                step(PeerPhase.Event.LOST); // the handshake failed: no link was ever forwarding
            }
            lostLink(l, l.closeReason());
        } catch (IOException e) {
            lastError = e.getMessage(); // fenced or closed meanwhile: nothing more to record
        } finally {
            io.unlock();
        }
    }

    private void fencedByPeer(long theirEpoch) {
        lastError = "fenced: peer " + peerNode + " has seen grant epoch " + theirEpoch + ", ours is " + epoch;
        log.error("mirror {}: {}", resourceId, lastError);
        fence();
    }

    private void checkPeer(HelloPayload theirs) throws IOException {
        if (!theirs.resourceId().equals(resourceId) || theirs.dataSizeBytes() != sizeBytes
                || !theirs.nodeId().equals(peerNode)) {
            throw new IOException("peer at " + peerAddress + " is node " + theirs.nodeId() + " with resource "
                    + theirs.resourceId() + " of " + theirs.dataSizeBytes() + " bytes; expected node " + peerNode
                    + " with " + resourceId + " of " + sizeBytes + " bytes");
        }
    }

    /** One connection's life: in sync at once, or resync then in sync; returns when the link closes. */
    private void session(PeerLink l, HelloPayload theirs) throws IOException {
        ResyncKind kind;
        io.lock();
        try {
            checkOpen();
            Superblock sb = area.current();
            PeerDecisions.Hello d = PeerDecisions.onHello(peerTracked, sb.currentGenerationId(),
                    sb.previousGenerationId(), unflushedWrites.isEmpty(), theirs);
            if (d.link() == PeerDecisions.Link.IN_SYNC) {
                startForwarding(l, PeerPhase.Event.IN_SYNC_AT_HELLO);
                log.info("mirror {}: peer {} connected and in sync", resourceId, peerNode);
                kind = null;
            } else {
                if (d.demote()) {
                    ensurePeerNotUpToDate(ReplicaState.INCONSISTENT);
                }
                if (d.markInFlight().isPresent()) {
                    ActiveExtents inFlight = d.markInFlight().get();
                    inFlight.markIn(bitmap);
                    log.info("mirror {}: peer {} crashed as primary; its activity log's {} extents ({} MiB) are copied"
                            + " besides our bitmap", resourceId, peerNode, inFlight.count(), inFlight.bytes() >> 20);
                }
                if (d.markAll()) {
                    bitmap.markAll();
                }
                area.persistBitmap(bitmap);
                if (d.startTracking()) {
                    area.update(s -> s.withNewGeneration(newGenerationId()).withFlag(Flag.PEER_TRACKED, true));
                    peerTracked = true;
                }
                kind = d.resyncKind();
            }
            publish();
        } finally {
            io.unlock();
        }
        if (kind != null) {
            // A half-synced replica must never be promoted: Inconsistent before the first RS_DATA.
            if (peerCommitted() != ReplicaState.INCONSISTENT) {
                commitPeerState(ReplicaState.INCONSISTENT);
            }
            resync(l, kind);
        }
        CompletableFuture.anyOf(l.closedFuture(), stop).join();
    }
    
    private void startForwarding(PeerLink l, PeerPhase.Event event) {
        link = l;
        step(event);
        lastError = null;
    }

    /** Takes the step {@code event} asks for in the current phase; returns its actions. io held, except for STOPPED. */
    private List<PeerPhase.Action> step(PeerPhase.Event event) {
        while (true) {
            PeerPhase from = phase.get();
            PeerPhase.Step s = from.on(event, !unflushedWrites.isEmpty());
            if (phase.compareAndSet(from, s.next())) {
                return s.actions();
            }
        }
    }

    /**
     * Resync chunks in flight at most: enough to hide the round trip for scattered 4 KiB chunks (256
     * of them are 1 MiB; 32 made a 1 %-dirty resync of a 1 GiB disk 145 ms instead of 112); the byte
     * bound limits large chunks and what the peer buffers.
     */
    private static final int RESYNC_WINDOW_CHUNKS = 256;
    private static final long RESYNC_WINDOW_BYTES = 8L << 20;

    private void resync(PeerLink l, ResyncKind kind) throws IOException {
        long label;
        io.lock();
        try {
            checkOpen();
            maybeUpToDate = false;
            label = area.current().previousGenerationId();
            awaitAck(l, l.send(new ResyncBeginPayload(kind, label).toFrame(epoch, l.nextSeq())), FrameType.RS_ACK);
            startForwarding(l, PeerPhase.Event.RESYNC_BEGUN);
            resyncPassBytes = bitmap.dirtyCount() * DirtyBitmap.BLOCK_SIZE_BYTES;
            resyncPassDirtyLeft = resyncPassBytes;
            log.info("mirror {}: {} resync of peer {} started: {} bytes", resourceId, kind, peerNode, resyncPassBytes);
        } finally {
            io.unlock();
        }
        int chunkBlocks = settings.resyncChunkBytes() / DirtyBitmap.BLOCK_SIZE_BYTES;
        ByteBuffer buf = ByteBuffer.allocateDirect(settings.resyncChunkBytes());
        RateLimiter limiter = new RateLimiter(settings.resyncRateBytesPerSecond(), settings.resyncChunkBytes(), nanoClock);
        List<Extent> sent = new ArrayList<>();
        // Chunks sent and not yet acknowledged: scattered 4 KiB blocks would otherwise cost a round
        // trip each. The peer applies frames in order, so acks come in order.
        ArrayDeque<InFlightChunk> inFlight = new ArrayDeque<>();
        long sentBytes = 0;
        long cursor = 0;
        while (true) {
            InFlightChunk sending = null;
            boolean drain = false;
            io.lock();
            try {
                checkOpen();
                checkLink(l);
                Optional<Extent> next = cursor < bitmap.blockCount() ? bitmap.nextExtent(cursor) : Optional.empty();
                if (next.isEmpty()) {
                    if (!inFlight.isEmpty()) {
                        drain = true;
                    } else if (!sent.isEmpty()) {
                        flushResync(l, sent);
                        sentBytes = 0;
                        continue;
                    } else if (bitmap.dirtyCount() == 0) {
                        finishResync(l);
                        return;
                    } else {
                        cursor = 0; // blocks dirtied behind the cursor meanwhile: another pass
                        continue;
                    }
                } else {
                    Extent chunk = new Extent(next.get().firstBlock(), Math.min(next.get().blockCount(), chunkBlocks));
                    buf.clear().limit((int) chunk.lengthBytes());
                    for (long pos = chunk.offsetBytes(); buf.hasRemaining(); ) {
                        int n = data.read(buf, pos);
                        if (n < 0) {
                            throw new IOException("local data area of " + resourceId + " ends at " + pos);
                        }
                        pos += n;
                    }
                    buf.flip();
                    // Not flushed yet: a window of scattered 4 KiB chunks leaves in a few writes.
                    sending = new InFlightChunk(chunk, l.sendData(FrameType.RS_DATA, epoch, chunk.offsetBytes(), buf, false));
                    cursor = chunk.endBlock();
                }
            } finally {
                io.unlock();
            }
            if (sending != null) {
                inFlight.add(sending);
            }
            long inFlightBytes = 0;
            for (InFlightChunk c : inFlight) {
                inFlightBytes += c.chunk().lengthBytes();
            }
            if (!inFlight.isEmpty() && (drain || inFlight.size() >= RESYNC_WINDOW_CHUNKS
                    || inFlightBytes >= RESYNC_WINDOW_BYTES)) {
                l.flush();
                // Acks arrive in order: wait once for the middle one (or the last, to drain), and the
                // older ones are done too; one wake-up per half window rather than per chunk.
                int settle = drain ? inFlight.size() : Math.max(1, inFlight.size() / 2);
                InFlightChunk mark = null;
                int i = 0;
                for (InFlightChunk c : inFlight) {
                    if (++i == settle) {
                        mark = c;
                        break;
                    }
                }
                awaitAck(l, mark.ack(), FrameType.RS_ACK);
            }
            while (!inFlight.isEmpty() && inFlight.peek().ack().isDone()) {
                InFlightChunk done = inFlight.poll();
                awaitAck(l, done.ack(), FrameType.RS_ACK);
                resyncBytesSent += done.chunk().lengthBytes();
                sent.add(done.chunk());
                sentBytes += done.chunk().lengthBytes();
            }
            if (sentBytes >= settings.resyncFlushEveryBytes()) {
                io.lock();
                try {
                    checkOpen();
                    checkLink(l);
                    flushResync(l, sent);
                    sentBytes = 0;
                } finally {
                    io.unlock();
                }
            }
            if (sending != null) {
                long waitNanos = limiter.reserve(sending.chunk().lengthBytes());
                if (waitNanos > 0) {
                    l.flush(); // what was sent leaves before the pause
                }
                if (waitNanos > 0 && Waits.sleepUnless(CompletableFuture.anyOf(stop, l.closedFuture()), waitNanos)) {
                    checkOpen();
                    checkLink(l);
                }
            }
        }
    }

    /** A resync chunk on its way to the peer. */
    private record InFlightChunk(Extent chunk, CompletableFuture<Frame> ack) {}

    /** Makes the sent chunks durable on the peer, then (only then) records them as done. io held. */
    private void flushResync(PeerLink l, List<Extent> sent) throws IOException {
        flushPeer(l);
        for (Extent e : sent) {
            bitmap.clear(e);
        }
        sent.clear();
        area.persistBitmap(bitmap);
        publish();
    }

    /** RS_END, then UpToDate(peer) committed, then PEER_TRACKED off: the peer is in sync. io held. */
    private void finishResync(PeerLink l) throws IOException {
        long generation = area.current().currentGenerationId();
        awaitAck(l, l.send(new ResyncEndPayload(generation).toFrame(epoch, l.nextSeq())), FrameType.RS_ACK);
        unflushedWrites.clear(); // RS_END forced everything before it on the peer
        maybeUpToDate = true;
        commitPeerState(ReplicaState.UP_TO_DATE);
        area.update(s -> s.withFlag(Flag.PEER_TRACKED, false));
        peerTracked = false;
        step(PeerPhase.Event.RESYNC_ENDED);
        publish();
        log.info("mirror {}: peer {} resynced and UpToDate ({} resync bytes sent so far)", resourceId, peerNode,
                resyncBytesSent);
    }

    private void checkLink(PeerLink l) throws IOException {
        if (link != l || !l.isOpen()) {
            throw new IOException(l.closeReason());
        }
    }

    // ---- helpers ----

    private void checkOpen() throws IOException {
        if (fenced) {
            throw new IOException("mirror " + resourceId + " is fenced" + (lastError != null && lastError.startsWith("fenced")
                    ? " (" + lastError + ")" : ""));
        }
        if (closed) {
            throw new IOException("mirror " + resourceId + " is closed");
        }
    }

    private long newGenerationId() {
        long g;
        do {
            g = random.nextLong();
        } while (g == 0);
        return g;
    }

    /** Updates the status snapshot fields. io held. */
    private void publish() {
        dirtyBlocks = bitmap.dirtyCount();
        resyncPassDirtyLeft = dirtyBlocks * DirtyBitmap.BLOCK_SIZE_BYTES;
    }
}
