package io.baton.resources.mirror.wire;

/** How much a resync must copy, decided from the two replicas' generation ids. */
public enum ResyncKind {
    /** Same lineage: the union of both dirty bitmaps is all that can differ. */
    DIFFERENTIAL,
    /** First attach or unrelated lineages: the bitmaps say nothing, every block is copied. */
    FULL;

    /**
     * The kind for a source and a target with these current generation ids. Only an identical
     * generation makes the bitmaps meaningful; a target that never held data (generation 0) or that
     * followed another lineage (a force-activation, a full sync from elsewhere) gets everything. A
     * source must hold a lineage.
     */
    public static ResyncKind between(long sourceCurrentGenerationId, long targetCurrentGenerationId) {
        if (sourceCurrentGenerationId == 0) {
            throw new IllegalArgumentException("a resync source must have a generation id; 0 means it holds no data");
        }
        return sourceCurrentGenerationId == targetCurrentGenerationId ? DIFFERENTIAL : FULL;
    }
}
