package io.baton.node.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local demo's application: a tiny web server that names the node it runs on. Started and
 * stopped by the demo group's exec scripts (see bin/baton-demo). Not part of Baton proper.
 *
 * <p>Usage: {@code DemoWebServer HOST PORT NODE [DOCROOT]}; serves DOCROOT/index.html if present.
 */
public final class DemoWebServer {
    private DemoWebServer() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: DemoWebServer HOST PORT NODE [DOCROOT]");
            System.exit(2);
        }
        String node = args[2];
        Path docroot = args.length > 3 ? Path.of(args[3]) : null;
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 16);
        server.createContext("/", exchange -> {
            String extra = "";
            if (docroot != null && Files.isRegularFile(docroot.resolve("index.html"))) {
                extra = Files.readString(docroot.resolve("index.html"));
            }
            byte[] body = ("<html><body><h1>Hello from " + node + "</h1>" + extra + "</body></html>\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }
}
