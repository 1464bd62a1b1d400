package io.baton.resources.mirror.meta;

import io.baton.resources.mirror.wire.IdStrings;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a node knows about its replica of one mirror resource, kept in the metadata area and
 * rewritten whole (never patched) so that a torn write cannot mix two states. The magic and the
 * format version are properties of the encoding, not of the state: {@link SuperblockCodec} writes and
 * checks them.
 *
 * @param resourceId           the mirror resource, e.g. {@code group/resource}; the metadata belongs to it
 * @param nodeId               the node holding this replica
 * @param dataSizeBytes        size of the data area, a whole number of blocks
 * @param blockSizeBytes       bitmap granularity; {@value DirtyBitmap#BLOCK_SIZE_BYTES} in this format
 * @param currentGenerationId  random 64-bit id of the data lineage, new on force-activation or full sync;
 *                             0 means the replica holds no data of any generation yet
 * @param previousGenerationId the generation before the current one, 0 if none
 * @param flags                see {@link Flag}
 * @param highestEpochSeen     the highest grant epoch this replica has accepted traffic from (S4)
 * @param resyncCursorBlock    reserved, 0: a resync's progress is the persisted bitmap, not a cursor (docs/mirror.md)
 * @param sequence             write counter; of the two slots the valid one with the higher wins
 */
public record Superblock(
        String resourceId,
        String nodeId,
        long dataSizeBytes,
        int blockSizeBytes,
        long currentGenerationId,
        long previousGenerationId,
        Set<Flag> flags,
        long highestEpochSeen,
        long resyncCursorBlock,
        long sequence) {

    /** Boolean facts kept with the state; the wire and disk form is a bit mask. */
    public enum Flag {
        /** The node stopped the mirror cleanly: no write can be half-replicated. */
        CLEAN_SHUTDOWN(1),
        /** The node was the primary when this superblock was written. */
        WAS_PRIMARY(2),
        /** A resync into this replica was under way: it is not promotable until the resync ends. */
        RESYNC_IN_PROGRESS(4),
        /**
         * On a primary: the bitmap holds every block written since the peer was last in sync, when the
         * peer's data was labelled with this replica's {@code previousGenerationId} (or its current one,
         * once a resync finished but before this flag was cleared). Cleared when the peer is UpToDate again.
         */
        PEER_TRACKED(8);

        final int bit;

        Flag(int bit) {
            this.bit = bit;
        }

        public static int toMask(Set<Flag> flags) {
            int m = 0;
            for (Flag f : flags) {
                m |= f.bit;
            }
            return m;
        }

        /** The flags of {@code mask}; refuses bits this format does not define. */
        public static Set<Flag> fromMask(int mask) {
            EnumSet<Flag> out = EnumSet.noneOf(Flag.class);
            int known = 0;
            for (Flag f : values()) {
                known |= f.bit;
                if ((mask & f.bit) != 0) {
                    out.add(f);
                }
            }
            if ((mask & ~known) != 0) {
                throw new IllegalArgumentException("unknown flag bits 0x" + Integer.toHexString(mask & ~known));
            }
            return out;
        }
    }

    public Superblock {
        IdStrings.check("resource id", resourceId);
        IdStrings.check("node id", nodeId);
        if (blockSizeBytes != DirtyBitmap.BLOCK_SIZE_BYTES) {
            throw new IllegalArgumentException("block size must be " + DirtyBitmap.BLOCK_SIZE_BYTES
                    + " bytes in this format, got " + blockSizeBytes);
        }
        long blocks = DirtyBitmap.blockCountFor(dataSizeBytes);
        Objects.requireNonNull(flags, "flags");
        flags = Collections.unmodifiableSet(flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags));
        if (highestEpochSeen < 0) {
            throw new IllegalArgumentException("highest epoch seen must be >= 0, got " + highestEpochSeen);
        }
        if (resyncCursorBlock < 0 || resyncCursorBlock > blocks) {
            throw new IllegalArgumentException("resync cursor " + resyncCursorBlock + " is outside 0.." + blocks);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
        }
    }

    /**
     * The first superblock of a replica: no flags, epoch 0, no resync, sequence 0 (the metadata area
     * assigns the sequence). The generation id comes from the caller (a secure random for a new
     * lineage, 0 for a replica that will receive a full sync) so nothing here is random.
     */
    public static Superblock initial(String resourceId, String nodeId, long dataSizeBytes, long generationId) {
        return new Superblock(resourceId, nodeId, dataSizeBytes, DirtyBitmap.BLOCK_SIZE_BYTES,
                generationId, 0, Set.of(), 0, 0, 0);
    }

    /** Blocks of the data area, which is also the number of bitmap bits. */
    public long blockCount() {
        return dataSizeBytes / blockSizeBytes;
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    public Superblock withFlag(Flag flag, boolean on) {
        EnumSet<Flag> f = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
        if (on) {
            f.add(flag);
        } else {
            f.remove(flag);
        }
        return new Superblock(resourceId, nodeId, dataSizeBytes, blockSizeBytes, currentGenerationId,
                previousGenerationId, f, highestEpochSeen, resyncCursorBlock, sequence);
    }

    public Superblock withHighestEpochSeen(long epoch) {
        return new Superblock(resourceId, nodeId, dataSizeBytes, blockSizeBytes, currentGenerationId,
                previousGenerationId, flags, epoch, resyncCursorBlock, sequence);
    }

    public Superblock withResyncCursorBlock(long block) {
        return new Superblock(resourceId, nodeId, dataSizeBytes, blockSizeBytes, currentGenerationId,
                previousGenerationId, flags, highestEpochSeen, block, sequence);
    }

    /** Starts a new lineage: the current generation becomes the previous one. */
    public Superblock withNewGeneration(long generationId) {
        return new Superblock(resourceId, nodeId, dataSizeBytes, blockSizeBytes, generationId,
                currentGenerationId, flags, highestEpochSeen, resyncCursorBlock, sequence);
    }

    public Superblock withSequence(long seq) {
        return new Superblock(resourceId, nodeId, dataSizeBytes, blockSizeBytes, currentGenerationId,
                previousGenerationId, flags, highestEpochSeen, resyncCursorBlock, seq);
    }
}
