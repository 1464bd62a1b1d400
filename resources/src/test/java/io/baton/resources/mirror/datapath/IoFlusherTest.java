package io.baton.resources.mirror.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The kernel's own answer: with CAP_SYS_RESOURCE the mark is set on the calling thread only;
 * without it (this CI sandbox drops it even for root) marking reports false and changes nothing.
 */
class IoFlusherTest {

    private static final int CAP_SYS_RESOURCE = 24;

    @Test
    void markingSetsTheFlagOnTheCallingThreadOnlyOrReportsThatItCannot() throws Exception {
        boolean capable = hasEffectiveCapability(CAP_SYS_RESOURCE);
        CompletableFuture<boolean[]> seen = new CompletableFuture<>();
        Thread t = new Thread(() -> seen.complete(new boolean[] {
                IoFlusher.isCurrentThreadMarked(), IoFlusher.markCurrentThread(), IoFlusher.isCurrentThreadMarked()}));
        t.start();
        t.join();
        boolean[] r = seen.get();
        assertFalse(r[0], "not marked before");
        assertEquals(capable, r[1], "marking succeeds exactly when the process has CAP_SYS_RESOURCE");
        assertEquals(capable, r[2], "and then the thread is marked");
        assertFalse(IoFlusher.isCurrentThreadMarked(), "the test's own thread is untouched");
    }

    private static boolean hasEffectiveCapability(int cap) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (mask & (1L << cap)) != 0;
            }
        }
        return false;
    }
}
