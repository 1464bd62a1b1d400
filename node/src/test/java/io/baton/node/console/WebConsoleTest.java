package io.baton.node.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.baton.node.admin.AdminCaller;
import io.baton.node.http.HttpAnswer;
import io.baton.node.http.HttpCall;
import io.baton.node.security.CertificateAuthority;
import io.baton.node.security.Role;
import io.baton.proto.ActivityProto;
import io.baton.proto.Event;
import io.baton.proto.GroupReport;
import io.baton.proto.PhaseProto;
import io.baton.proto.ResourceReport;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import io.baton.proto.admin.MoveRequest;
import io.baton.proto.admin.NodeGroupStatus;
import io.baton.proto.admin.OpReply;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The console's rules without a cluster: the backend is a recording stand-in for the admin service
 * (the real one is driven by ConsoleIT in a browser).
 */
class WebConsoleTest {
    static final AdminCaller ALICE = new AdminCaller("alice", Role.OPERATOR, false);
    static final AdminCaller VICTOR = new AdminCaller("victor", Role.VIEWER, false);

    record Call(AdminCaller caller, String method, Message request) {}

    final List<Call> calls = new ArrayList<>();
    CompletableFuture<OpReply> reply = CompletableFuture.completedFuture(OpReply.newBuilder().setMessage("moving web to server2").build());
    ClusterStatus status = ClusterStatus.newBuilder().setCluster("prod").setLeader("server1")
            .addGroups(GroupStatus.newBuilder().setName("web").setOwner("server1").setEpoch(4).setPhase(PhaseProto.PHASE_ONLINE)
                    .addPreference("server1").addPreference("server2")
                    .addNodes(NodeGroupStatus.newBuilder().setNode("server1").setReport(GroupReport.newBuilder()
                            .setActivity(ActivityProto.ACTIVITY_ACTIVE).setEpoch(4)
                            .addResources(ResourceReport.newBuilder().setName("app").setState("active")
                                    .setDetail("<script>alert(1)</script>")))))
            .build();
    final AtomicInteger tokens = new AtomicInteger();
    final ConsoleSessions sessions = new ConsoleSessions(() -> 0L, () -> "t" + tokens.incrementAndGet());

    final WebConsole.Backend backend = new WebConsole.Backend() {
        @Override
        public CompletableFuture<ClusterStatus> status() {
            return CompletableFuture.completedFuture(status);
        }

        @Override
        public List<Event> events(int count) {
            return List.of(Event.newBuilder().setSeq(7).setKind("move").setGroup("web").setNode("server2")
                    .setCaller("alice (operator)").build());
        }

        @Override
        public CompletableFuture<OpReply> call(AdminCaller caller, String method, Message request) {
            calls.add(new Call(caller, method, request));
            return reply;
        }
    };

    final WebConsole tls = new WebConsole("server1", "prod", true, sessions, backend);
    final WebConsole open = new WebConsole("server1", "prod", false, sessions, backend);

    static HttpCall get(String path, Map<String, String> headers) {
        return call("GET", path, headers, "", Optional.empty());
    }

    static HttpCall call(String method, String path, Map<String, String> headers, String body,
                         Optional<X509Certificate> certificate) {
        int q = path.indexOf('?');
        Map<String, List<String>> query = new HashMap<>();
        if (q >= 0) {
            for (String kv : path.substring(q + 1).split("&")) {
                query.put(kv.substring(0, kv.indexOf('=')), List.of(kv.substring(kv.indexOf('=') + 1)));
            }
        }
        return new HttpCall(method, q >= 0 ? path.substring(0, q) : path, query, headers,
                body.getBytes(StandardCharsets.UTF_8), certificate, true);
    }

    static HttpAnswer answer(WebConsole console, HttpCall call) {
        return console.answer(call).join();
    }

    /** Signs {@code caller} in through a link and returns the Cookie header the browser then sends. */
    String signedIn(AdminCaller caller) {
        String token = sessions.link(caller);
        HttpAnswer a = answer(tls, get("/console/login?token=" + token, Map.of()));
        assertEquals(303, a.status());
        assertEquals("/", a.headers().get("Location"));
        String cookie = a.headers().get("Set-Cookie");
        assertTrue(cookie.startsWith("baton_console_server1=") && cookie.contains("; HttpOnly; SameSite=Strict; Secure"), cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    static Map<String, String> action(String cookie) {
        return Map.of("cookie", cookie, "x-baton-console", "1", "origin", "https://127.0.0.11:7403", "host", "127.0.0.11:7403");
    }

    @Test
    void withTlsNothingButTheSignInPageAndFilesWithoutASession() {
        HttpAnswer page = answer(tls, get("/", Map.of()));
        assertEquals(401, page.status());
        assertTrue(page.bodyText().contains("batonctl console"), page.bodyText());
        assertEquals(401, answer(tls, get("/console/live", Map.of())).status());
        assertEquals(401, answer(tls, get("/console/live", Map.of("cookie", "baton_console_server1=guess"))).status());
        assertEquals(200, answer(tls, get("/console/console.js", Map.of())).status());
        assertEquals(200, answer(tls, get("/console/console.css", Map.of())).status());
        HttpAnswer spent = answer(tls, get("/console/login?token=guess", Map.of()));
        assertEquals(401, spent.status());
        assertTrue(spent.bodyText().contains("used already, has expired or is not from this node (server1)"));
        assertEquals(401, answer(tls, call("POST", "/console/action", Map.of("x-baton-console", "1"),
                "action=stop&group=web", Optional.empty())).status());
        assertTrue(calls.isEmpty());
    }

    @Test
    void aSignedInOperatorSeesThePageAndMovesTheGroup() {
        String cookie = signedIn(ALICE);
        HttpAnswer page = answer(tls, get("/", Map.of("cookie", cookie)));
        assertEquals(200, page.status());
        String html = page.bodyText();
        assertTrue(html.contains("alice (operator) on node server1"), html);
        assertTrue(html.contains("data-group=\"web\" data-owner=\"server1\" data-epoch=\"4\" data-phase=\"online\""), html);
        assertTrue(html.contains("data-action=\"move\" data-group=\"web\" data-owner=\"server1\" data-targets=\"server2\">"), html);
        assertTrue(html.contains("by alice (operator)"), "the events, with their caller");
        assertTrue(page.headers().get("Content-Security-Policy").startsWith("default-src 'self'"));
        assertEquals("DENY", page.headers().get("X-Frame-Options"));

        HttpAnswer moved = answer(tls, call("POST", "/console/action", action(cookie), "action=move&group=web&to=server2",
                Optional.empty()));
        assertEquals(200, moved.status());
        assertEquals("moving web to server2\n", moved.bodyText());
        assertEquals(List.of(new Call(ALICE, "Move", MoveRequest.newBuilder().setGroup("web").setTo("server2").build())), calls);
    }

    @Test
    void everyValueIsEscaped() {
        String html = answer(tls, get("/console/live", Map.of("cookie", signedIn(ALICE)))).bodyText();
        assertFalse(html.contains("<script>alert(1)</script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    }

    @Test
    void aPostFromAnotherPageIsRefusedBeforeAnythingIsCalled() {
        String cookie = signedIn(ALICE);
        HttpAnswer noHeader = answer(tls, call("POST", "/console/action", Map.of("cookie", cookie),
                "action=stop&group=web", Optional.empty()));
        assertEquals(403, noHeader.status());
        assertEquals("refused: a console request carries the header X-Baton-Console: 1\n", noHeader.bodyText());
        Map<String, String> foreign = new HashMap<>(action(cookie));
        foreign.put("origin", "https://evil.example");
        HttpAnswer otherOrigin = answer(tls, call("POST", "/console/action", foreign, "action=stop&group=web", Optional.empty()));
        assertEquals(403, otherOrigin.status());
        assertEquals("refused: a request from https://evil.example, not from this console\n", otherOrigin.bodyText());
        assertEquals(403, answer(tls, call("POST", "/console/sign-out", Map.of("cookie", cookie), "", Optional.empty())).status());
        assertTrue(calls.isEmpty());
        assertEquals(200, answer(tls, get("/", Map.of("cookie", cookie))).status(), "still signed in");
    }

    @Test
    void theAdminServicesRefusalIsTheAnswer() {
        reply = CompletableFuture.failedFuture(Status.PERMISSION_DENIED
                .withDescription("permission denied: victor (viewer) may not stop").asException());
        HttpAnswer refused = answer(tls, call("POST", "/console/action", action(signedIn(VICTOR)), "action=stop&group=web",
                Optional.empty()));
        assertEquals(403, refused.status());
        assertEquals("permission denied: victor (viewer) may not stop\n", refused.bodyText());
        assertEquals(VICTOR, calls.get(0).caller());

        reply = CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("no quorum: ...").asException());
        assertEquals(503, answer(tls, call("POST", "/console/action", action(signedIn(ALICE)), "action=stop&group=web",
                Optional.empty())).status());
        HttpAnswer bad = answer(tls, call("POST", "/console/action", action(signedIn(ALICE)), "action=fly&group=web",
                Optional.empty()));
        assertEquals(400, bad.status());
        assertEquals(2, calls.size(), "a bad form calls nothing");
    }

    @Test
    void aViewersButtonsAreDisabledWithTheReason() {
        String html = answer(tls, get("/console/live", Map.of("cookie", signedIn(VICTOR)))).bodyText();
        assertTrue(html.contains("data-targets=\"server2\" disabled title=\"permission denied: victor (viewer) may not move\">"),
                html);
    }

    @Test
    void signingOutEndsTheSession() {
        String cookie = signedIn(ALICE);
        HttpAnswer out = answer(tls, call("POST", "/console/sign-out", action(cookie), "", Optional.empty()));
        assertEquals(200, out.status());
        assertTrue(out.headers().get("Set-Cookie").contains("Max-Age=0"));
        assertEquals(401, answer(tls, get("/", Map.of("cookie", cookie))).status());
    }

    @Test
    void aClientCertificateThatNamesARoleSignsItsHolderIn() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("prod", Duration.ofDays(1), Instant.now());
        X509Certificate bob = ca.issueOperator("bob", Role.ADMIN, Duration.ofDays(1), Instant.now()).certificate();
        HttpAnswer page = answer(tls, call("GET", "/", Map.of(), "", Optional.of(bob)));
        assertEquals(200, page.status());
        assertTrue(page.bodyText().contains("bob (admin) on node server1"));
    }

    @Test
    void withoutTlsTheConsoleIsOpenAsTheAdminPortIs() {
        HttpAnswer page = answer(open, get("/", Map.of()));
        assertEquals(200, page.status());
        assertTrue(page.bodyText().contains("anyone (this cluster runs without TLS)"));
        assertFalse(page.bodyText().contains("sign-out"), "nothing to sign out of");
        assertEquals(200, answer(open, call("POST", "/console/action", Map.of("x-baton-console", "1"),
                "action=stop&group=web", Optional.empty())).status());
        assertEquals(null, calls.get(0).caller());
    }

    @Test
    void wrongMethodsAndUnknownPaths() {
        assertEquals(405, answer(open, call("POST", "/", Map.of(), "", Optional.empty())).status());
        assertEquals(405, answer(open, get("/console/action", Map.of())).status());
        assertEquals(404, answer(open, get("/console/../etc/passwd", Map.of())).status());
    }
}
