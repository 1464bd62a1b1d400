package io.baton.node.http;

/**
 * Which answer a request gets before anything is computed: a pure function of the method, the
 * path and whether the caller presented a certificate of the cluster CA.
 *
 * <p>{@code /healthz} and {@code /readyz} are open to anyone who can reach the port (a load
 * balancer, systemd, a monitoring probe): they say only "up" and "in contact with a leader".
 * {@code /metrics} names nodes, groups and states, so with TLS it needs a client certificate
 * (any certificate of the cluster CA: a Prometheus scraper is given a viewer certificate).
 * {@code /} and everything under {@code /console/} is the web console, which decides for itself
 * (it signs its callers in: {@code io.baton.node.console}).
 */
final class HttpRoutes {
    private HttpRoutes() {}

    static final String CONSOLE_PREFIX = "/console/";

    enum Route { HEALTH, READY, METRICS, CONSOLE, NOT_FOUND, METHOD_NOT_ALLOWED, CERTIFICATE_REQUIRED }

    static Route route(String method, String path, boolean tls, boolean clientCertificate) {
        if (path.equals("/") || path.startsWith(CONSOLE_PREFIX)) {
            return Route.CONSOLE;
        }
        Route r = switch (path) {
            case "/healthz" -> Route.HEALTH;
            case "/readyz" -> Route.READY;
            case "/metrics" -> Route.METRICS;
            default -> Route.NOT_FOUND;
        };
        if (r == Route.NOT_FOUND) {
            return r;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Route.METHOD_NOT_ALLOWED;
        }
        if (r == Route.METRICS && tls && !clientCertificate) {
            return Route.CERTIFICATE_REQUIRED;
        }
        return r;
    }
}
