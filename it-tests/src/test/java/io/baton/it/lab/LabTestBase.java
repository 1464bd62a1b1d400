package io.baton.it.lab;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every lab test class shares: the lab's prerequisites checked per test (so that the report
 * counts each skipped test, with the reason), and after each test the observer's summary printed,
 * everything torn down, and S1 checked over the whole run.
 */
abstract class LabTestBase {
    /** The running lab of the current test, set by the test once it has started one. */
    LabEnv env;

    @BeforeEach
    void lab() {
        LabSupport.assumeLab();
    }

    @AfterEach
    void tearDown() {
        if (env != null) {
            try {
                env.observer.close();
                System.out.println(env.summaryLine());
            } finally {
                env.close();
            }
            env.assertNoViolations();
            env = null;
        }
    }

    @AfterAll
    static void cleanUp() {
        // Each LabEnv closes its own lab; this is the safety net (a JVM shutdown hook is the next one).
        Lab.closeAll();
    }
}
