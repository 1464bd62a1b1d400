package io.baton.resources.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class CheckResultTest {

    @Test
    void okHasNoError() {
        assertTrue(CheckResult.ok().healthy());
        assertEquals("", CheckResult.ok().error());
    }

    @Test
    void failedKeepsAShortOneLineReason() {
        assertEquals(new CheckResult(false, "HTTP 503"), CheckResult.failed("HTTP 503"));
        assertEquals("exit status 1: a / b", CheckResult.failed("exit status 1: a\r\n  b\n").error());
        assertEquals("check failed", CheckResult.failed(null).error());
        assertEquals("check failed", CheckResult.failed(" \n ").error());
        String longReason = CheckResult.failed("x".repeat(1000)).error();
        assertEquals(CheckResult.MAX_ERROR_CHARS, longReason.length());
        assertTrue(longReason.endsWith("…"));
        assertFalse(CheckResult.failed("x").healthy());
    }

    @Test
    void inconsistentResultsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CheckResult(true, "but why"));
        assertThrows(IllegalArgumentException.class, () -> new CheckResult(false, ""));
        assertThrows(NullPointerException.class, () -> new CheckResult(true, null));
    }

    @Test
    void timeoutsAreWordedLikeExecResources() {
        assertEquals("timed out after 500ms", Timeouts.timedOut(Duration.ofMillis(500)));
        assertEquals("timed out after 2s", Timeouts.timedOut(Duration.ofSeconds(2)));
        assertEquals(1, Timeouts.millis(Duration.ofNanos(10)));
    }
}
