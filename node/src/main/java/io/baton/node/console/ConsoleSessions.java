package io.baton.node.console;

import io.baton.node.admin.AdminCaller;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Who is signed in to this node's web console. {@code batonctl console} asks the admin API (with the
 * operator's certificate) for a sign-in link; the link's token works once, within
 * {@link #LINK_TTL}, and is traded for a session of the same caller and role, which lasts
 * {@link #SESSION_TTL}. Both live in this node's memory only: a restart signs everyone out.
 *
 * <p>Bounded: at most {@value #MAX_LINKS} unused links and {@value #MAX_SESSIONS} sessions; past that
 * the oldest goes. Time is a number from {@code nanoClock}, so the expiry rules are tested without waiting.
 */
public final class ConsoleSessions {
    public static final Duration LINK_TTL = Duration.ofSeconds(60);
    public static final Duration SESSION_TTL = Duration.ofHours(12);
    static final int MAX_LINKS = 64;
    static final int MAX_SESSIONS = 256;

    private record Entry(AdminCaller caller, long expiresNanos) {}

    private final LongSupplier nanoClock;
    private final Supplier<String> secrets;
    private final Map<String, Entry> links = new LinkedHashMap<>();
    private final Map<String, Entry> sessions = new LinkedHashMap<>();

    public ConsoleSessions(LongSupplier nanoClock, Supplier<String> secrets) {
        this.nanoClock = nanoClock;
        this.secrets = secrets;
    }

    /** With the system's clock and 256-bit random secrets. */
    public static ConsoleSessions system() {
        SecureRandom random = new SecureRandom();
        return new ConsoleSessions(System::nanoTime, () -> {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        });
    }

    /** A new one-time sign-in token for {@code caller}. */
    public synchronized String link(AdminCaller caller) {
        String token = secrets.get();
        put(links, token, new Entry(caller, nanoClock.getAsLong() + LINK_TTL.toNanos()), MAX_LINKS);
        return token;
    }

    /** The session a sign-in token opens (the token is spent), or empty when it is unknown, spent or expired. */
    public synchronized Optional<String> signIn(String token) {
        Entry link = links.remove(token);
        long now = nanoClock.getAsLong();
        if (link == null || now - link.expiresNanos() >= 0) {
            return Optional.empty();
        }
        String session = secrets.get();
        put(sessions, session, new Entry(link.caller(), now + SESSION_TTL.toNanos()), MAX_SESSIONS);
        return Optional.of(session);
    }

    /** Who the session is, while it lasts. */
    public synchronized Optional<AdminCaller> caller(String session) {
        Entry e = sessions.get(session);
        if (e == null) {
            return Optional.empty();
        }
        if (nanoClock.getAsLong() - e.expiresNanos() >= 0) {
            sessions.remove(session);
            return Optional.empty();
        }
        return Optional.of(e.caller());
    }

    public synchronized void signOut(String session) {
        sessions.remove(session);
    }

    /** Drops expired entries, then the oldest while the map is full, then adds. */
    private void put(Map<String, Entry> map, String key, Entry entry, int max) {
        long now = nanoClock.getAsLong();
        map.values().removeIf(e -> now - e.expiresNanos() >= 0);
        Iterator<String> oldest = map.keySet().iterator();
        while (map.size() >= max && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        map.put(key, entry);
    }
}
