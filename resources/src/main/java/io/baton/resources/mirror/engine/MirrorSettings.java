package io.baton.resources.mirror.engine;

import io.baton.resources.mirror.meta.DirtyBitmap;
import io.baton.resources.mirror.wire.FrameCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a {@link MirrorPrimary}.
 *
 * @param peerAckTimeout         how long a write or flush waits for the peer before treating it as lost
 * @param reconnectInterval      pause between attempts to reach the peer, and between retries of a Raft commit
 * @param resyncRateBytesPerSecond resync bandwidth, so it leaves disk and link to the application
 * @param resyncChunkBytes       most data in one RS_DATA, a whole number of blocks up to 1 MiB
 * @param resyncFlushEveryBytes  resync data sent between two FLUSHes; a chunk's bits are cleared (its
 *                               progress recorded) only after the FLUSH_ACK that follows it
 * @param maxUnflushedWrites     acknowledged writes kept for re-marking if the link drops before a
 *                               FLUSH_ACK; past this many the primary sends a FLUSH itself
 * @param tls                    mutual TLS on the link to the peer; null: plain TCP
 * @param activityLog            keep the activity log (the default); off only to measure what it
 *                               costs: the record is then erased, and a crash as primary means a full resync
 */
public record MirrorSettings(
        Duration peerAckTimeout,
        Duration reconnectInterval,
        long resyncRateBytesPerSecond,
        int resyncChunkBytes,
        long resyncFlushEveryBytes,
        int maxUnflushedWrites,
        MirrorTls tls,
        boolean activityLog) {

    public MirrorSettings(Duration peerAckTimeout, Duration reconnectInterval, long resyncRateBytesPerSecond,
                          int resyncChunkBytes, long resyncFlushEveryBytes, int maxUnflushedWrites) {
        this(peerAckTimeout, reconnectInterval, resyncRateBytesPerSecond, resyncChunkBytes, resyncFlushEveryBytes,
                maxUnflushedWrites, null, true);
    }

    public MirrorSettings {
        Objects.requireNonNull(peerAckTimeout, "peerAckTimeout");
        Objects.requireNonNull(reconnectInterval, "reconnectInterval");
        if (peerAckTimeout.isNegative() || peerAckTimeout.isZero() || reconnectInterval.isNegative()
                || reconnectInterval.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (resyncRateBytesPerSecond < RateLimiter.MIN_RATE_BYTES_PER_SECOND
                || resyncRateBytesPerSecond > RateLimiter.MAX_RATE_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("resync rate out of range: " + resyncRateBytesPerSecond);
        }
        if (resyncChunkBytes < DirtyBitmap.BLOCK_SIZE_BYTES || resyncChunkBytes > FrameCodec.MAX_DATA_BYTES
                || resyncChunkBytes % DirtyBitmap.BLOCK_SIZE_BYTES != 0) {
            throw new IllegalArgumentException("resync chunk must be whole blocks, 4 KiB..1 MiB, got " + resyncChunkBytes);
        }
        if (resyncFlushEveryBytes < resyncChunkBytes) {
            throw new IllegalArgumentException("resync flush interval must be at least one chunk");
        }
        if (maxUnflushedWrites < 1) {
            throw new IllegalArgumentException("maxUnflushedWrites must be >= 1");
        }
    }

    /** 2 s ack timeout, 250 ms reconnect, 100 MiB/s resync in 1 MiB chunks flushed every 16 MiB, 4096 writes. */
    public static MirrorSettings defaults() {
        return new MirrorSettings(Duration.ofSeconds(2), Duration.ofMillis(250), 100L << 20, 1 << 20, 16L << 20, 4096);
    }

    public MirrorSettings withResyncRate(long bytesPerSecond, int chunkBytes, long flushEveryBytes) {
        return new MirrorSettings(peerAckTimeout, reconnectInterval, bytesPerSecond, chunkBytes, flushEveryBytes,
                maxUnflushedWrites, tls, activityLog);
    }

    public MirrorSettings withPeerAckTimeout(Duration timeout) {
        return new MirrorSettings(timeout, reconnectInterval, resyncRateBytesPerSecond, resyncChunkBytes,
                resyncFlushEveryBytes, maxUnflushedWrites, tls, activityLog);
    }

    public MirrorSettings withTls(MirrorTls mirrorTls) {
        return new MirrorSettings(peerAckTimeout, reconnectInterval, resyncRateBytesPerSecond, resyncChunkBytes,
                resyncFlushEveryBytes, maxUnflushedWrites, mirrorTls, activityLog);
    }

    public MirrorSettings withActivityLog(boolean on) {
        return new MirrorSettings(peerAckTimeout, reconnectInterval, resyncRateBytesPerSecond, resyncChunkBytes,
                resyncFlushEveryBytes, maxUnflushedWrites, tls, on);
    }
}
