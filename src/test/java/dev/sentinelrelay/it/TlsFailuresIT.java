package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each TLS failure against a TLS sandbox: the relay is never ready, every sentinel shows as unreachable with the
 * reason on /api/sentinels, the reason is logged once per sentinel, and HAProxy is left as it was (pointed at a
 * replica before the relay starts, so a relay that verified anything would have moved it).
 */
class TlsFailuresIT extends SandboxIT {

    private static final Duration SEEN = Duration.ofSeconds(30);

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.startTls(HaproxyMode.ADDR);
    }

    @Test
    void caThatDidNotSignTheServersCertificates() throws Exception {
        assertRefusedAndNothingChanged(Map.of("relay.tls.ca-file", sandbox.certs.otherCa.cert().toString()),
                "127.0.0.1", "TLS: server certificate not trusted");
    }

    @Test
    void hostnameTheCertificatesDoNotName() throws Exception {
        // the servers' certificates name IP 127.0.0.1 only
        String sentinels = sandbox.sentinelPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
        assertRefusedAndNothingChanged(Map.of("relay.sentinels", sentinels),
                "localhost", "TLS: hostname mismatch: No name matching localhost found");
    }

    @Test
    void expiredServerCertificate() throws Exception {
        sandbox.restartSentinelsPresenting(sandbox.certs.expired);
        try {
            assertRefusedAndNothingChanged(Map.of(), "127.0.0.1", "TLS: server certificate expired");
        } finally {
            sandbox.restartSentinelsPresenting(sandbox.certs.server);
            sandbox.awaitSentinelsSettled();
        }
    }

    @Test
    void serversDemandAClientCertificateTheRelayLacks() throws Exception {
        assertRefusedAndNothingChanged(Map.of("relay.tls.cert-file", "", "relay.tls.key-file", ""),
                "127.0.0.1", "TLS: the server refused the connection: it requires a client certificate");
    }

    private void assertRefusedAndNothingChanged(Map<String, String> overrides, String host, String reason) throws Exception {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        sandbox.haproxyCommand("set server redis_mymaster/master addr 127.0.0.1 port " + replica);
        assertEquals(replica, sandbox.haproxyServerPort());
        List<String> addresses = sandbox.sentinelPorts.stream().map(p -> host + ":" + p).toList();
        try (Relay failing = Relay.launch(sandbox, overrides)) {
            List<JsonNode> seen = new ArrayList<>();
            try {
                await("every sentinel unreachable with the reason, asked twice or more").atMost(SEEN)
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .failFast("relay exited", () -> !failing.process.alive())
                        .until(() -> {
                            seen.clear();
                            failing.api("/api/sentinels").get("sentinels").forEach(seen::add);
                            return seen.size() == 3 && seen.stream().allMatch(s -> !s.get("reachable").asBoolean(true)
                                    && s.get("lastError").asText().contains(reason) && s.get("errors").asLong() >= 2);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\n/api/sentinels: " + seen + "\n" + failing.tail(), e);
            }
            assertEquals(addresses, seen.stream().map(s -> s.get("address").asText()).toList());
            assertEquals(503, failing.readyStatus(), failing.tail());
            for (String address : addresses) {
                assertEquals(1, failing.count("sentinel " + address + ": " + reason), "one line for " + address
                        + ":\n" + failing.tail());
            }
            assertEquals(replica, sandbox.haproxyServerPort(), "HAProxy must be left as it was");
        } finally {
            sandbox.haproxyCommand("set server redis_mymaster/master addr 127.0.0.1 port " + master);
        }
    }
}
