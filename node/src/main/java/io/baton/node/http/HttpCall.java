package io.baton.node.http;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as a handler behind the HTTP port sees it, with nothing of Netty in it: the method, the
 * path, the query's parameters, the headers (names in lower case, the first value of each), the
 * body, and the client certificate the TLS handshake checked against the cluster CA, if any.
 */
public record HttpCall(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
                       byte[] body, Optional<X509Certificate> clientCertificate, boolean tls) {

    /** The first value of the query parameter {@code name}, or empty. */
    public Optional<String> parameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The header {@code name} (any case), or empty. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
}
