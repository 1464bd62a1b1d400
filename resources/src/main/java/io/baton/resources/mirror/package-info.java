/**
 * The mirror disk's pure foundations: on-disk metadata, the replication wire format, epoch fencing
 * and resync planning. No FUSE, loop device or network here; the data path and the Netty transport
 * build on these. Design notes: {@code MIRROR.md}; invariants S2 and S4: {@code PROTOCOL.md}.
 *
 * <table>
 *   <caption>Pieces</caption>
 *   <tr><th>class</th><th>job</th></tr>
 *   <tr><td>{@link io.baton.resources.mirror.DirtyBitmap}</td>
 *       <td>one bit per 4 KiB block a peer may lack; merged extents; changed-page tracking</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.Superblock}, {@link io.baton.resources.mirror.SuperblockCodec}</td>
 *       <td>a replica's state and its checksummed 4 KiB form</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.MetadataArea}</td>
 *       <td>two alternating superblock slots (torn-write safe) and the bitmap pages, forced on write</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.Frame}, {@link io.baton.resources.mirror.FrameCodec}</td>
 *       <td>replication frames: type, epoch, seq, payload, CRC32C; incremental decoding</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.WritePayload}, {@link io.baton.resources.mirror.HelloPayload},
 *       {@link io.baton.resources.mirror.FencedPayload}</td>
 *       <td>typed payloads</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.EpochGuard}</td>
 *       <td>refuses frames below the highest epoch seen, persisting a higher one first (S4)</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.ResyncKind}</td>
 *       <td>full or differential, from the generation ids</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.ActiveExtents}, {@link io.baton.resources.mirror.ActivityLog}</td>
 *       <td>the activity log: the extents a primary may have writes in flight in, and when to record them</td></tr>
 *   <tr><td>{@link io.baton.resources.mirror.RateLimiter}</td>
 *       <td>resync bandwidth, on an injected clock, returning waits instead of sleeping</td></tr>
 * </table>
 *
 * <p>Ordering rules the callers must keep (they are what makes the torn-write and crash arguments hold):
 * <ul>
 *   <li>A dirty bit is relied upon only after {@link io.baton.resources.mirror.MetadataArea#persistBitmap}
 *       returned: persist it before acknowledging a write that a peer lacks.</li>
 *   <li>A higher epoch is persisted before the frame that carries it is acted upon
 *       ({@link io.baton.resources.mirror.EpochGuard#admit}).</li>
 *   <li>Superblock changes go through {@link io.baton.resources.mirror.MetadataArea#update}, from the
 *       current state, never from a stale copy.</li>
 *   <li>Resync progress (cleared source bits) is recorded only for data durable on the target: the
 *       persisted bitmap is the progress, and a resync interrupted by either node resumes from it.</li>
 *   <li>An activity log record holding a write's extent is durable before the write leaves.</li>
 * </ul>
 */
package io.baton.resources.mirror;
