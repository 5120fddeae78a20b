package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.destinations.haproxy.ServerState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * relay.mode = observe beside HAProxy running the tcp-check recipe (bench/tcp-check-recipe.cfg), where the health
 * checks alone pick the master: across a real Sentinel failover the relay changes nothing in HAProxy, and its API
 * and metrics say what it would have written. The relay reads it as in state mode, which would put every server but
 * the master in maintenance: so HAProxy never agrees with it, and an acting relay would change the admin states.
 */
class ObserveModeIT extends SandboxIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @BeforeAll
    void startSandbox() throws IOException {
        sandbox = Sandbox.startTcpCheckRecipe();
    }

    @Test
    void changesNothingAcrossAFailoverAndReportsWhatItWouldHaveWritten() throws Exception {
        relayWith(Map.of("relay.mode", "observe")); // ready: it follows the sentinels and read HAProxy back
        int oldMaster = sandbox.sentinelMasterPort();
        awaitWouldWrite("127.0.0.1:" + oldMaster);
        double wouldChangeBefore = wouldChangeTotal();
        List<String> before = whatTheRelayWouldWrite();

        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster); // the health checks moved the traffic, nobody else
        JsonNode master = awaitWouldWrite("127.0.0.1:" + newMaster);

        assertEquals(before, whatTheRelayWouldWrite(), "the relay changed HAProxy's servers");
        assertEquals(0, relay.count("haproxy updated"), relay.tail());
        assertEquals(0, relay.count("accepts runtime API writes"), relay.tail());

        JsonNode cluster = JSON.readTree(get("/api/cluster").body());
        assertEquals("observe", cluster.path("role").asText(), cluster.toString());
        assertEquals("127.0.0.1:" + newMaster, master.path("route").asText(), master.toString());
        assertFalse(master.path("destinationsAgree").asBoolean(true), master.toString());
        String reason = JSON.readTree(get("/api/topology").body()).at("/masters/0/destinations/0/reason").asText();
        assertTrue(reason.endsWith("it would write 127.0.0.1:" + newMaster), reason);
        assertTrue(wouldChangeTotal() > wouldChangeBefore, "relay_would_change_total did not count the failover");
        assertEquals(503, get("/health/leader").statusCode(), "an observing relay never leads");
        assertEquals(200, get("/health/ready").statusCode(), get("/health/ready").body());
    }

    /**
     * Waits until /api/cluster routes mymaster to {@code master} and says of haproxy-1 that it disagrees and that
     * the relay would write {@code master} there; returns the master's block.
     */
    private JsonNode awaitWouldWrite(String master) {
        JsonNode[] seen = new JsonNode[1];
        await("/api/cluster: haproxy-1 would get " + master).atMost(SETTLE).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    seen[0] = JSON.readTree(get("/api/cluster").body()).path("masters").get(0);
                    JsonNode haproxy = seen[0].path("destinations").path("haproxy-1");
                    return master.equals(seen[0].path("route").asText())
                            && !haproxy.path("agrees").asBoolean(true)
                            && master.equals(haproxy.path("wouldWrite").asText());
                });
        return seen[0];
    }

    /**
     * Per server of the recipe's backend, from {@code show servers state}, what the relay would set in state mode:
     * its address and its admin state (the operational state is the health checks', which the failover changes).
     */
    private List<String> whatTheRelayWouldWrite() throws IOException {
        String reply = sandbox.haproxyCommand("show servers state " + sandbox.backend());
        return ServerState.parse(reply.lines().toList()).stream()
                .map(s -> s.server() + " " + s.address() + ":" + s.port() + " admin " + s.adminState())
                .toList();
    }

    private double wouldChangeTotal() throws Exception {
        String metrics = get("/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("relay_would_change_total{master=\"mymaster\"} "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.apiPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
