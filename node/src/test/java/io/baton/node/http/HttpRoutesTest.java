package io.baton.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.node.http.HttpRoutes.Route;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
    @Test
    void healthPathsAreOpenWithOrWithoutTls() {
        assertEquals(Route.HEALTH, HttpRoutes.route("GET", "/healthz", true, false));
        assertEquals(Route.READY, HttpRoutes.route("HEAD", "/readyz", true, false));
    }

    @Test
    void metricsNeedAClientCertificateOnlyWithTls() {
        assertEquals(Route.CERTIFICATE_REQUIRED, HttpRoutes.route("GET", "/metrics", true, false));
        assertEquals(Route.METRICS, HttpRoutes.route("GET", "/metrics", true, true));
        assertEquals(Route.METRICS, HttpRoutes.route("GET", "/metrics", false, false));
    }

    @Test
    void onlyReadsAndOnlyKnownPaths() {
        assertEquals(Route.METHOD_NOT_ALLOWED, HttpRoutes.route("POST", "/metrics", true, true));
        assertEquals(Route.METHOD_NOT_ALLOWED, HttpRoutes.route("DELETE", "/healthz", false, false));
        assertEquals(Route.NOT_FOUND, HttpRoutes.route("GET", "/metrics/", true, true));
        assertEquals(Route.NOT_FOUND, HttpRoutes.route("GET", "/../etc/passwd", false, false));
    }

    @Test
    void theRootAndEverythingUnderConsoleIsTheConsolesToDecide() {
        assertEquals(Route.CONSOLE, HttpRoutes.route("GET", "/", true, false));
        assertEquals(Route.CONSOLE, HttpRoutes.route("POST", "/console/action", true, false));
        assertEquals(Route.CONSOLE, HttpRoutes.route("GET", "/console/nothing", false, false));
        assertEquals(Route.NOT_FOUND, HttpRoutes.route("GET", "/console", false, false));
    }
}
