package io.baton.it.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a killed run leaves behind is removed by the next: namespaces of a dead JVM and their processes. */
class LabCleanupIT {
    @BeforeEach
    void lab() {
        // Per test (not @BeforeAll) so that the report counts each skipped test, with the reason.
        LabSupport.assumeLab();
    }

    @Test
    void namespacesOfADeadRunAreRemovedWithTheirProcesses() throws Exception {
        // A pid that is certainly not a live JVM: a process that has ended.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        String ns = Lab.PREFIX + gone.pid() + "-1-s1";
        Sh.check("ip", "netns", "add", ns);
        Process sleeper = Sh.builder(List.of("ip", "netns", "exec", ns, "sleep", "300")).start();
        try {
            assertTrue(Lab.labNamespaces().contains(ns));

            List<String> removed = Lab.removeStale();

            assertTrue(removed.contains(ns), "removed " + removed);
            assertFalse(Lab.labNamespaces().contains(ns));
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process inside was killed");
        } finally {
            sleeper.destroyForcibly();
            Sh.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", ns));
        }
    }
}
