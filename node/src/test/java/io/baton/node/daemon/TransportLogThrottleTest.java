package io.baton.node.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class TransportLogThrottleTest {
    @Test
    void theKeyNamesThePortAndTheFailureWithoutTheBytesDumped() {
        assertEquals("raft port: IOException: HTTP/2 client preface string missing or corrupt",
                TransportLogThrottle.key("org.apache.ratis.thirdparty.io.grpc.netty.NettyServerTransport",
                        new IOException("HTTP/2 client preface string missing or corrupt. Hex dump for received bytes: c50c")));
        assertEquals("admin port: IOException: x".length(),
                TransportLogThrottle.key("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport", new IOException("x")).length());
    }

    @Test
    void bytesThatAreNotTlsMakeOneKeyWhateverTheBytes() {
        String a = TransportLogThrottle.key("org.apache.ratis.thirdparty.io.grpc.netty.NettyServerTransport",
                new RuntimeException("not an SSL/TLS record: 5c1f0e9a77d3b2c4aa0193fe"));
        String b = TransportLogThrottle.key("org.apache.ratis.thirdparty.io.grpc.netty.NettyServerTransport",
                new RuntimeException("not an SSL/TLS record: 0011223344556677889900aabbccddeeff"));
        assertEquals("raft port: RuntimeException: not an SSL/TLS record: ...", a);
        assertEquals(a, b);
    }
}
