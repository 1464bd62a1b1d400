package io.baton.node.console;

import com.google.protobuf.Message;
import io.baton.node.admin.AdminCaller;
import io.baton.node.admin.AdminService;
import io.baton.node.http.HttpAnswer;
import io.baton.node.http.HttpCall;
import io.baton.node.http.HttpPort;
import io.baton.proto.Event;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.OpReply;
import io.grpc.Status;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The web console on the node's HTTP port: {@code /} is the page, {@code /console/live} its live
 * part, {@code POST /console/action} a button's call, {@code /console/login} trades a one-time link
 * from {@code batonctl console} for a session cookie.
 *
 * <p>Who may do what is the admin port's rule ({@link io.baton.node.admin.AdminPermissions}), applied to
 * the session's caller; with TLS nothing but the sign-in page and the static files is served without
 * a session or a client certificate that names a role. A POST must carry the header
 * {@value #ACTION_HEADER} (a page of another site cannot send it without this port's consent, which
 * it never gives) and, when the browser sends an Origin, this port's own; the cookie is HttpOnly and
 * SameSite=Strict.
 */
public final class WebConsole implements HttpPort.Console {
    static final String ACTION_HEADER = "X-Baton-Console";
    static final int EVENTS_SHOWN = 30;
    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    /** What the console reads and calls; the node's admin service in production. */
    public interface Backend {
        CompletableFuture<ClusterStatus> status();

        /** The most recent events, oldest first. */
        List<Event> events(int count);

        CompletableFuture<OpReply> call(AdminCaller caller, String method, Message request);
    }

    private final String node;
    private final String clusterName;
    private final boolean tls;
    private final ConsoleSessions sessions;
    private final Backend backend;
    private final String cookie;
    private final byte[] script = resource("console.js");
    private final byte[] style = resource("console.css");

    /** @param tls whether the cluster runs with TLS: then every page but the sign-in needs a caller */
    public WebConsole(String node, String clusterName, boolean tls, ConsoleSessions sessions, Backend backend) {
        this.node = node;
        this.clusterName = clusterName;
        this.tls = tls;
        this.sessions = sessions;
        this.backend = backend;
        // One cookie per node: browsers keep cookies per host, not per port, and the demo's nodes share a host.
        this.cookie = "baton_console_" + node.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** A backend on the node's admin service and its shared status. */
    public static Backend backend(AdminService admin, Supplier<CompletableFuture<ClusterStatus>> status) {
        return new Backend() {
            @Override
            public CompletableFuture<ClusterStatus> status() {
                return status.get();
            }

            @Override
            public List<Event> events(int count) {
                return admin.recentEvents(count);
            }

            @Override
            public CompletableFuture<OpReply> call(AdminCaller caller, String method, Message request) {
                return admin.callAs(caller, method, request);
            }
        };
    }

    @Override
    public CompletableFuture<HttpAnswer> answer(HttpCall call) {
        return route(call).thenApply(WebConsole::secured);
    }

    private CompletableFuture<HttpAnswer> route(HttpCall call) {
        String path = call.path();
        boolean get = call.method().equals("GET") || call.method().equals("HEAD");
        boolean post = call.method().equals("POST");
        switch (path) {
            case "/console/console.js":
                return get ? done(new HttpAnswer(200, "text/javascript; charset=utf-8", script, Map.of()))
                        : done(notAllowed("GET"));
            case "/console/console.css":
                return get ? done(new HttpAnswer(200, "text/css; charset=utf-8", style, Map.of())) : done(notAllowed("GET"));
            case "/console/login":
                return get ? done(signIn(call)) : done(notAllowed("GET"));
            case "/":
            case "/console/live":
                if (!get) {
                    return done(notAllowed("GET"));
                }
                Optional<Viewer> viewer = viewer(call);
                if (viewer.isEmpty()) {
                    return done(path.equals("/") ? HttpAnswer.html(401, ConsolePages.signIn(node, ""))
                            : HttpAnswer.text(401, "signed out: run batonctl console for a new link\n"));
                }
                return live(viewer.get()).thenApply(live -> path.equals("/")
                        ? HttpAnswer.html(200, ConsolePages.page(clusterName, viewer.get(), live, viewer.get().caller() != null && tls))
                        : HttpAnswer.html(200, live));
            case "/console/action":
                return post ? action(call) : done(notAllowed("POST"));
            case "/console/sign-out":
                return post ? done(signOut(call)) : done(notAllowed("POST"));
            default:
                return done(HttpAnswer.text(404, "not found: the console is at /\n"));
        }
    }

    private CompletableFuture<String> live(Viewer viewer) {
        return backend.status().handle((status, error) -> error != null
                ? ConsolePages.unavailable(String.valueOf(error.getMessage()))
                : ConsolePages.live(status, backend.events(EVENTS_SHOWN), viewer, Instant.now()));
    }

    /** The signed-in caller: the session's, else the client certificate's (when it names a role); anyone without TLS. */
    Optional<Viewer> viewer(HttpCall call) {
        if (!tls) {
            return Optional.of(new Viewer(null, node));
        }
        Optional<AdminCaller> caller = session(call).flatMap(sessions::caller);
        if (caller.isEmpty()) {
            caller = call.clientCertificate().flatMap(AdminCaller::of);
        }
        return caller.map(c -> new Viewer(c, node));
    }

    private Optional<String> session(HttpCall call) {
        return call.header("cookie").flatMap(header -> cookies(header, cookie));
    }

    /** The value of cookie {@code name} in a Cookie header. */
    static Optional<String> cookies(String header, String name) {
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                return Optional.of(part.substring(eq + 1).trim());
            }
        }
        return Optional.empty();
    }

    private HttpAnswer signIn(HttpCall call) {
        if (!tls) {
            return redirectHome();
        }
        Optional<String> session = call.parameter("token").flatMap(sessions::signIn);
        if (session.isEmpty()) {
            return HttpAnswer.html(401, ConsolePages.signIn(node,
                    "This sign-in link was used already, has expired or is not from this node (" + node + ")."));
        }
        return redirectHome().with("Set-Cookie", cookie + "=" + session.get() + "; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age="
                + ConsoleSessions.SESSION_TTL.toSeconds());
    }

    private HttpAnswer signOut(HttpCall call) {
        String refusal = foreign(call);
        if (refusal != null) {
            return HttpAnswer.text(403, refusal + "\n");
        }
        session(call).ifPresent(sessions::signOut);
        return HttpAnswer.text(200, "signed out\n").with("Set-Cookie", cookie + "=; Path=/; HttpOnly; SameSite=Strict"
                + (tls ? "; Secure" : "") + "; Max-Age=0");
    }

    private static HttpAnswer redirectHome() {
        return HttpAnswer.text(303, "see /\n").with("Location", "/");
    }

    private CompletableFuture<HttpAnswer> action(HttpCall call) {
        String refusal = foreign(call);
        if (refusal != null) {
            return done(HttpAnswer.text(403, refusal + "\n"));
        }
        Optional<Viewer> viewer = viewer(call);
        if (viewer.isEmpty()) {
            return done(HttpAnswer.text(401, "signed out: run batonctl console for a new link\n"));
        }
        ConsoleAction action;
        try {
            action = ConsoleAction.parse(form(call.body()));
        } catch (IllegalArgumentException e) {
            return done(HttpAnswer.text(400, e.getMessage() + "\n"));
        }
        return backend.call(viewer.get().caller(), action.method(), action.request()).handle((reply, error) -> {
            if (error == null) {
                return HttpAnswer.text(200, (reply.getMessage().isEmpty() ? "ok" : reply.getMessage()) + "\n");
            }
            Status status = Status.fromThrowable(error);
            return HttpAnswer.text(httpStatus(status.getCode()),
                    (status.getDescription() == null ? status.getCode().toString() : status.getDescription()) + "\n");
        });
    }

    /** Why a POST is refused as not coming from this console's own page, or null. */
    static String foreign(HttpCall call) {
        if (!call.header(ACTION_HEADER).orElse("").equals("1")) {
            return "refused: a console request carries the header " + ACTION_HEADER + ": 1";
        }
        Optional<String> origin = call.header("origin");
        Optional<String> host = call.header("host");
        if (origin.isPresent() && !(host.isPresent() && origin.get().equals((call.tls() ? "https://" : "http://") + host.get()))) {
            return "refused: a request from " + origin.get() + ", not from this console";
        }
        return null;
    }

    static Map<String, String> form(byte[] body) {
        Map<String, String> form = new HashMap<>();
        new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                .parameters().forEach((k, v) -> form.put(k, v.isEmpty() ? "" : v.get(0)));
        return form;
    }

    static int httpStatus(Status.Code code) {
        return switch (code) {
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> 409;
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED -> 503;
            default -> 500;
        };
    }

    private static HttpAnswer notAllowed(String allow) {
        return HttpAnswer.text(405, "only " + allow + " here\n").with("Allow", allow);
    }

    private static HttpAnswer secured(HttpAnswer answer) {
        HttpAnswer a = answer;
        for (Map.Entry<String, String> h : SECURITY_HEADERS.entrySet()) {
            a = a.with(h.getKey(), h.getValue());
        }
        return a;
    }

    private static CompletableFuture<HttpAnswer> done(HttpAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebConsole.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
