package io.baton.it.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.it.lab.Lab.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault lab's scenarios (issue 4): real hosts in network namespaces, HAProxy health-checking the
 * probe ports, nginx started by the exec resource, faults injected from outside, and an observer in
 * the client that fails the test if both probe ports are ever open at once (S1). Each scenario prints
 * its client-visible outage ({@code lab outage: scenario=...}). Needs root, iproute2, haproxy, nginx;
 * skipped otherwise. See docs/lab.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabScenariosIT {
    static final Duration LEASE = LabEnv.LEASE;
    static final long LEASE_MS = LEASE.toMillis();
    /** The takeover's expected upper end: lease·(1+ρ) + margin, plus the election, activation and health-check rise. */
    static final Duration TAKEOVER_BOUND = Duration.ofMillis(Math.round(LEASE_MS * (1 + LabEnv.MAX_DRIFT))
            + LabEnv.TAKEOVER_MARGIN.toMillis() + 2 * LabEnv.ELECTION_TIMEOUT.toMillis() + 1000
            + (long) (LabEnv.CHECK_RISE + 1) * LabEnv.CHECK_INTER_MS + 1500);

    LabEnv env;

    @BeforeAll
    static void lab() {
        LabSupport.assumeLab();
    }

    @AfterEach
    void tearDown() {
        if (env != null) {
            String summary;
            try {
                env.observer.close();
                summary = env.summaryLine();
                System.out.println(summary);
            } finally {
                env.close();
            }
            env.assertNoViolations();
            env = null;
        }
    }

    @AfterAll
    static void cleanUp() {
        // Any lab a failed start left behind (each LabEnv closes its own; this is the safety net).
        Lab.cleanupStale();
    }

    LabEnv start(String scenario, LabRuns.Run run) throws Exception {
        Path dir = Path.of("target", "lab-runs", scenario + "-" + run.index()).toAbsolutePath();
        env = LabEnv.start(dir);
        return env;
    }

    static double now() {
        return LabObserver.now();
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Fails unless, since {@code t}, none of the observer's views of ownership changed. */
    private void assertNoChangeSince(double t, String what) {
        List<LabObserver.Line> changes = env.observer.since(t, Set.of("probe", "haproxy", "group", "http", "S1"));
        assertEquals(List.of(), changes.stream().map(LabObserver.Line::raw).toList(), what);
    }

    // ---- 1 ----

    @LabTest
    @Order(1)
    void moveThroughBatonctlMovesThePage(LabRuns.Run run) throws Exception {
        start("move", run);
        assertEquals(Optional.of("server1"), env.fetchPage(), "the page through HAProxy names server1");
        long epoch = env.observer.group().epoch();

        double t0 = now();
        LabEnv.CtlRun move = env.batonctl("move", "web", "--to", "server2", "--wait");
        double moved = now();
        assertEquals(0, move.exit(), move.out());
        assertTrue(move.out().contains("web is online on server2"), move.out());
        env.awaitServing("server2", Duration.ofSeconds(10));
        assertEquals(Optional.of("server2"), env.fetchPage(), "the page through HAProxy names server2");
        assertEquals(epoch + 1, env.observer.group().epoch());
        assertTrue(env.fencedInside(Host.SERVER1), "server1 stopped nginx and closed its probe port");
        assertTrue(env.activeInside(Host.SERVER2));

        double firstPage = env.observer.firstPageFrom("server2", t0);
        env.recordOutage("move", env.observer.outageMs(t0, now()),
                "batonctl_move_wait_ms=" + ms(moved - t0) + " first_page_from_server2_ms=" + ms(firstPage - t0));
    }
}
