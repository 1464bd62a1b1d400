package io.baton.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource({
        "198.18.0.1:7400, 198.18.0.1, 7400",
        "0.0.0.0:1, 0.0.0.0, 1",
        "255.255.255.255:65535, 255.255.255.255, 65535",
        "server1:7400, server1, 7400",
        "ip-10-0-1-10.ec2.internal:7401, ip-10-0-1-10.ec2.internal, 7401",
        "baton_node1:80, baton_node1, 80",
        "localhost:8080, localhost, 8080",
        "[::1]:7400, ::1, 7400",
        "[fd00::10:1]:7400, fd00::10:1, 7400",
        "[2001:db8:0:0:0:0:0:1]:443, 2001:db8:0:0:0:0:0:1, 443",
        "[::ffff:198.18.0.1]:7400, ::ffff:198.18.0.1, 7400",
    })
    void accepts(String text, String host, int port) {
        HostPort parsed = HostPort.parse(text);
        assertEquals(new HostPort(host, port), parsed);
        assertEquals(text, parsed.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "198.18.0.1|missing port; expected host:port",
        "198.18.0.1:|missing port",
        ":7400|missing host",
        "198.18.0.1:0|port must be between 1 and 65535, got 0",
        "198.18.0.1:70000|port must be between 1 and 65535, got 70000",
        "198.18.0.1:99999999999|port must be between 1 and 65535, got 99999999999",
        "198.18.0.1:-1|port must be a number, got '-1'",
        "198.18.0.1:http|port must be a number, got 'http'",
        "198.18.0.1:74 00|port must be a number, got '74 00'",
        "256.1.1.1:7400|'256.1.1.1' is not a valid IPv4 address",
        "198.18.0:7400|'198.18.0' is not a valid IPv4 address",
        "010.0.0.1:7400|'010.0.0.1' is not a valid IPv4 address",
        "server 1:7400|'server 1' is not a valid host name",
        "-server:7400|'-server' is not a valid host name",
        "server..internal:7400|'server..internal' is not a valid host name",
        "server.:7400|'server.' is not a valid host name",
        "::1:7400|an IPv6 address must be written in brackets, e.g. [::1]:7400",
        "[::1]7400|expected ':port' after ']'",
        "[::1:7400|missing ']' after the IPv6 address",
        "[198.18.0.1]:7400|brackets are only for IPv6 addresses",
        "[fd00::g]:7400|'fd00::g' is not a valid IPv6 address",
        "[1:2:3:4:5:6:7:8:9]:7400|'1:2:3:4:5:6:7:8:9' is not a valid IPv6 address",
        "[.::1]:7400|'.::1' is not a valid IPv6 address",
    })
    void refuses(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
        assertEquals("invalid address '" + text + "': " + reason, e.getMessage());
    }

    @Test
    void refusesEmpty() {
        assertEquals("no address given; expected host:port, e.g. 198.18.0.1:7400",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("")).getMessage());
    }

    @Test
    void constructorChecksParts() {
        assertEquals("port must be between 1 and 65535, got 0",
                assertThrows(IllegalArgumentException.class, () -> new HostPort("server1", 0)).getMessage());
        assertEquals("'[::1]' is not a valid IPv6 address",
                assertThrows(IllegalArgumentException.class, () -> new HostPort("[::1]", 1)).getMessage());
    }

    @Test
    void normalizedHostMatchesSpellingsOfTheSameAddress() {
        assertEquals(HostPort.parse("[FD00::1]:1").normalizedHost(), HostPort.parse("[fd00:0:0::1]:1").normalizedHost());
        assertEquals("server1", HostPort.parse("Server1:1").normalizedHost());
    }

    @Test
    void wildcards() {
        assertTrue(HostPort.isWildcard("0.0.0.0"));
        assertTrue(HostPort.isWildcard("::"));
        assertTrue(HostPort.isWildcard("0:0:0:0:0:0:0:0"));
        assertFalse(HostPort.isWildcard("198.18.0.1"));
        assertFalse(HostPort.isWildcard("::1"));
        assertFalse(HostPort.isWildcard("server1"));
    }
}
