package io.baton.resources.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class TcpCheckTest {

    private static final String HOST = "127.0.0.1";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void healthyWhenTheConnectionCompletes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            TcpCheck check = new TcpCheck(HOST, server.getLocalPort());
            assertEquals(CheckResult.ok(), check.check(TIMEOUT));
            assertEquals(CheckResult.ok(), check.check(TIMEOUT)); // reusable
        }
    }

    /**
     * The port is held by a bound socket that does not listen: connecting is refused, and the kernel
     * cannot hand the same port to the check's own socket (which would connect to itself).
     */
    @Test
    void refusedConnectionFails() throws Exception {
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress(HOST, 0));
            TcpCheck check = new TcpCheck(HOST, bound.getLocalPort());
            assertEquals(CheckResult.failed("connection refused"), check.check(TIMEOUT));
        }
    }

    @Test
    void describesTheTarget() {
        assertEquals("tcp 127.0.0.1:8080", new TcpCheck(HOST, 8080).describe());
        assertEquals("tcp [::1]:8080", new TcpCheck("::1", 8080).describe());
        assertEquals("tcp db.local:5432", new TcpCheck("db.local", 5432).describe());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TcpCheck(HOST, 0));
        assertThrows(IllegalArgumentException.class, () -> new TcpCheck(" ", 80));
        assertThrows(IllegalArgumentException.class, () -> new TcpCheck(HOST, 80).check(Duration.ZERO));
    }
}
