package io.baton.coordinator.sim;

/** The outcome of one schedule: a violation (or null), the trace's tail and hash, and the counters. */
record SimResult(long seed, String violation, String traceTail, long traceHash, long traceLines, Stats stats) {

    boolean ok() {
        return violation == null;
    }

    String failureMessage() {
        return "seed " + seed + " (replay with -Dsim.seed=" + seed + "): " + violation
                + "\n---- last " + Trace.TAIL_LINES + " trace lines ----\n" + traceTail;
    }
}
