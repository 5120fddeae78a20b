package dev.sentinelrelay.configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortTest {

    @Test
    void parsesIpv4Ipv6AndHostnames() {
        assertEquals(new HostPort("10.0.0.1", 26379), HostPort.parse("10.0.0.1:26379"));
        assertEquals(new HostPort("::1", 26379), HostPort.parse("[::1]:26379"));
        assertEquals(new HostPort("sentinel-1.example.org", 1), HostPort.parse(" sentinel-1.example.org:1 "));
        assertEquals("[::1]:26379", HostPort.parse("[::1]:26379").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:-1", "10.0.0.1:abc", "::1:26379",
            "[::1]26379", "[nope]:1", "host name:1", "a;b:1", ":1", "10.0.0.1:1;x", "[10.0.0.1]:1"})
    void rejectsInvalidAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }

    @Test
    void tellsIpLiteralsFromHostnames() {
        assertTrue(HostPort.isIpLiteral("127.0.0.1"));
        assertTrue(HostPort.isIpLiteral("fe80::1"));
        assertFalse(HostPort.isIpLiteral("localhost"));
        assertFalse(HostPort.isIpLiteral("256.1.1.1"));
        assertFalse(HostPort.isIpLiteral("127.0.0.1;shutdown"));
    }

    @Test
    void aHostnameIsTheSameServerAsTheAddressItResolvesTo() {
        HostPort loopback = new HostPort("127.0.0.1", 6379);
        assertTrue(new HostPort("localhost", 6379).sameServer(loopback));
        assertTrue(loopback.sameServer(loopback));
        assertFalse(new HostPort("localhost", 6380).sameServer(loopback));
        assertFalse(new HostPort("10.0.0.2", 6379).sameServer(loopback));
        assertFalse(new HostPort("no-such-host.invalid", 6379).sameServer(loopback), "does not resolve");
    }
}
