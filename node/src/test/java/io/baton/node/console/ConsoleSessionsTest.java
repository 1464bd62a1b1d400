package io.baton.node.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.node.admin.AdminCaller;
import io.baton.node.security.Role;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
    static final AdminCaller ALICE = new AdminCaller("alice", Role.OPERATOR, false);
    final AtomicLong now = new AtomicLong(1_000);
    final AtomicInteger secrets = new AtomicInteger();
    final ConsoleSessions sessions = new ConsoleSessions(now::get, () -> "secret-" + secrets.incrementAndGet());

    @Test
    void aLinkOpensOneSessionOfItsCaller() {
        String token = sessions.link(ALICE);
        String session = sessions.signIn(token).orElseThrow();
        assertEquals(Optional.of(ALICE), sessions.caller(session));
        assertEquals(Optional.empty(), sessions.signIn(token), "a link works once");
        assertEquals(Optional.empty(), sessions.caller(token), "a link is not a session");
    }

    @Test
    void aLinkExpiresAfterItsMinute() {
        String token = sessions.link(ALICE);
        now.addAndGet(ConsoleSessions.LINK_TTL.toNanos());
        assertEquals(Optional.empty(), sessions.signIn(token));
        String fresh = sessions.link(ALICE);
        now.addAndGet(ConsoleSessions.LINK_TTL.toNanos() - 1);
        assertTrue(sessions.signIn(fresh).isPresent());
    }

    @Test
    void aSessionEndsAfterItsHoursOrWhenSignedOut() {
        String session = sessions.signIn(sessions.link(ALICE)).orElseThrow();
        now.addAndGet(ConsoleSessions.SESSION_TTL.toNanos() - 1);
        assertEquals(Optional.of(ALICE), sessions.caller(session));
        now.addAndGet(1);
        assertEquals(Optional.empty(), sessions.caller(session));

        String other = sessions.signIn(sessions.link(ALICE)).orElseThrow();
        sessions.signOut(other);
        assertEquals(Optional.empty(), sessions.caller(other));
    }

    @Test
    void unknownTokensOpenNothing() {
        assertEquals(Optional.empty(), sessions.signIn("guess"));
        assertEquals(Optional.empty(), sessions.caller("guess"));
    }

    @Test
    void theOldestGoesWhenFull() {
        String first = sessions.signIn(sessions.link(ALICE)).orElseThrow();
        for (int i = 1; i < ConsoleSessions.MAX_SESSIONS; i++) {
            sessions.signIn(sessions.link(ALICE)).orElseThrow();
        }
        assertTrue(sessions.caller(first).isPresent(), "all " + ConsoleSessions.MAX_SESSIONS + " kept");
        String last = sessions.signIn(sessions.link(ALICE)).orElseThrow();
        assertEquals(Optional.empty(), sessions.caller(first), "the oldest made room");
        assertTrue(sessions.caller(last).isPresent());

        String firstLink = sessions.link(ALICE);
        for (int i = 0; i < ConsoleSessions.MAX_LINKS; i++) {
            sessions.link(ALICE);
        }
        assertEquals(Optional.empty(), sessions.signIn(firstLink), "at most " + ConsoleSessions.MAX_LINKS + " unused links");
    }
}
