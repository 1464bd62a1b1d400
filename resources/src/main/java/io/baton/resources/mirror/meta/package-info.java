/**
 * A mirror replica's metadata, pure Java on one file: the {@link io.baton.resources.mirror.meta.Superblock}
 * (two alternating checksummed slots), the {@link io.baton.resources.mirror.meta.DirtyBitmap} (what the
 * peer lacks, persisted by changed pages), the activity log ({@link io.baton.resources.mirror.meta.ActivityLog}
 * decides, {@link io.baton.resources.mirror.meta.ActiveExtents} is the record) and
 * {@link io.baton.resources.mirror.meta.EpochGuard} (S4).
 *
 * <p>Ordering rules the callers keep (they make the torn-write and crash arguments hold):
 * <ul>
 *   <li>A dirty bit is relied upon only after {@link io.baton.resources.mirror.meta.MetadataArea#persistBitmap}
 *       returned: persist it before acknowledging a write that a peer lacks.</li>
 *   <li>An activity log record holding a write's extent is durable before the write leaves.</li>
 *   <li>A higher epoch is persisted before the frame that carries it is acted upon.</li>
 *   <li>Superblock changes go through {@link io.baton.resources.mirror.meta.MetadataArea#update}, from the
 *       current state, never from a stale copy.</li>
 *   <li>Resync progress (cleared bits) is recorded only for data durable on the target.</li>
 * </ul>
 */
package io.baton.resources.mirror.meta;
