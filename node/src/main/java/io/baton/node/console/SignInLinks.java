package io.baton.node.console;

import io.baton.node.admin.AdminCaller;
import io.baton.node.admin.ConsoleLinks;
import io.baton.proto.admin.ConsoleLoginReply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The links {@code batonctl console} prints: {@code /console/login?token=...} on this node's HTTP
 * port, one use, within {@link ConsoleSessions#LINK_TTL}. Without TLS the console is open, and the
 * link is just {@code /}.
 */
public final class SignInLinks implements ConsoleLinks {
    private final String node;
    private final String httpAddress;
    private final boolean tls;
    private final ConsoleSessions sessions;

    /** @param httpAddress the node's HTTP port as the cluster file gives it */
    public SignInLinks(String node, String httpAddress, boolean tls, ConsoleSessions sessions) {
        this.node = node;
        this.httpAddress = httpAddress;
        this.tls = tls;
        this.sessions = sessions;
    }

    @Override
    public ConsoleLoginReply link(AdminCaller caller) {
        ConsoleLoginReply.Builder reply = ConsoleLoginReply.newBuilder().setHttpAddress(httpAddress).setTls(tls)
                .setNode(node);
        if (!tls || caller == null) {
            return reply.setPath("/").build();
        }
        String token = sessions.link(caller);
        return reply.setPath("/console/login?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
                .setExpiresInMs(ConsoleSessions.LINK_TTL.toMillis()).build();
    }
}
