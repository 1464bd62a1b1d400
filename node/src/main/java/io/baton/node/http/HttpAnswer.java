package io.baton.node.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer: the status code, the content type, the body and any further headers. */
public record HttpAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String HTML = "text/html; charset=utf-8";

    public HttpAnswer {
        headers = Map.copyOf(headers);
    }

    public static HttpAnswer text(int status, String body) {
        return new HttpAnswer(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static HttpAnswer html(int status, String body) {
        return new HttpAnswer(status, HTML, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** This answer with the header {@code name: value} added (replacing one of that name). */
    public HttpAnswer with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpAnswer(status, contentType, body, more);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
