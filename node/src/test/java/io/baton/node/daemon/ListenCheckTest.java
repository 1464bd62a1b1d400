package io.baton.node.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.node.config.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ListenCheckTest {
    @Test
    void aPortInUseIsNamedWithItsAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            HostPort address = new HostPort("127.0.0.1", taken.getLocalPort());
            StartFailure e = assertThrows(StartFailure.class, () -> ListenCheck.canListen("raft", address));
            assertEquals("cannot listen on raft " + address + ": address already in use", e.getMessage());
        }
    }

    @Test
    void aFreePortPassesAndStaysFree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        HostPort address = new HostPort("127.0.0.1", port);
        ListenCheck.canListen("admin", address);
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
    }

    @Test
    void anAddressThatIsNotOnThisHostIsSaid() {
        // TEST-NET-2 (RFC 5737): never assigned to a local interface.
        HostPort address = new HostPort("198.51.100.7", 7400);
        StartFailure e = assertThrows(StartFailure.class, () -> ListenCheck.canListen("raft", address));
        assertEquals("cannot listen on raft 198.51.100.7:7400: the address is not on this host", e.getMessage());
    }
}
