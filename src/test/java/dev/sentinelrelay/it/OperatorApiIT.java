package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.ops.MetricNamesTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only API, health and metrics of a relay that follows a real failover, with a bearer token and
 * passwords on every Redis server and sentinel: what the relay believes before and after, and no secret shown.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorApiIT extends SandboxIT {

    static final String PASSWORD = "redis-pass-4c1e7";
    static final String TOKEN = "api-token-9f3a5b7c1d";
    private static final String WEBHOOK_PATH = "/hooks/T0API/B0CONF/webhook-secret-8c2d";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start(PASSWORD);
        relay = Relay.start(sandbox, Map.of("relay.sentinel.password", PASSWORD, "relay.redis.password", PASSWORD,
                "relay.api.token", TOKEN, "relay.alerts.channels", "ops", "relay.alerts.ops.type", "webhook",
                "relay.alerts.ops.url", "http://127.0.0.1:" + Sandbox.freePort() + WEBHOOK_PATH),
                Map.of("Authorization", "Bearer " + TOKEN));
    }

    static HttpResponse<String> get(Relay relay, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.apiPort + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String body(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(relay, path, TOKEN);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private JsonNode json(String path) throws IOException, InterruptedException {
        return JSON.readTree(body(path));
    }

    @Test
    @Order(1)
    void everyEndpointRequiresTheToken() throws Exception {
        for (String path : List.of("/api/ping", "/api/topology", "/api/sentinels", "/api/configuration", "/api/events",
                "/metrics", "/health/live", "/health/ready")) {
            assertEquals(401, get(relay, path, null).statusCode(), path + " without a token");
            HttpResponse<String> wrong = get(relay, path, "not-the-token-at-all");
            assertEquals(401, wrong.statusCode(), path + " with a wrong token");
            assertFalse(wrong.body().contains(TOKEN));
            assertEquals(200, get(relay, path, TOKEN).statusCode(), path + " with the token");
        }
        assertEquals("pong", body("/api/ping"));
        assertEquals("UP", body("/health/live"));
        // the status page alone is served without the token: static HTML that reads the API with it
        HttpResponse<String> page = get(relay, "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>sentinel-relay status</title>"));
        assertFalse(page.body().contains("127.0.0.1:" + sandbox.sentinelMasterPort()), "the page holds no data");
    }

    @Test
    @Order(2)
    void topologyAndSentinelsShowTheVerifiedMasterAndWhatEveryDestinationHolds() throws Exception {
        String master = "127.0.0.1:" + sandbox.sentinelMasterPort();
        JsonNode topology = json("/api/topology");
        assertTrue(topology.get("ready").asBoolean(), topology.toString());
        JsonNode m = topology.at("/masters/0");
        assertEquals("mymaster", m.get("name").asText());
        assertEquals(master, m.get("master").asText());
        assertEquals(3, m.at("/verification/votes").size());
        assertEquals(master, m.at("/verification/verified").asText());
        assertEquals(2, m.get("replicas").size(), m.toString());
        assertEquals("haproxy-1", m.at("/destinations/0/name").asText());
        assertEquals(master, m.at("/destinations/0/holds").asText());
        assertTrue(m.at("/destinations/0/inStep").asBoolean(), m.toString());

        JsonNode sentinels = json("/api/sentinels").get("sentinels");
        assertEquals(3, sentinels.size());
        for (JsonNode s : sentinels) {
            assertTrue(s.get("reachable").asBoolean(), s.toString());
            assertFalse(s.get("subscribedSince").isNull(), s.toString());
        }
    }

    @Test
    @Order(3)
    void aFailoverShowsInTopologyEventsAndMetrics() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster);
        String expected = "127.0.0.1:" + newMaster;
        await("topology names the new master, every destination in step").atMost(Duration.ofSeconds(30))
                .ignoreExceptions().until(() -> {
                    JsonNode m = json("/api/topology").at("/masters/0");
                    return m.get("master").asText().equals(expected) && m.at("/destinations/0/inStep").asBoolean()
                            && m.at("/lastChange/destinationsMs/haproxy-1").isNumber();
                });
        JsonNode change = json("/api/topology").at("/masters/0/lastChange");
        assertEquals(expected, change.get("to").asText(), change.toString());
        // the decision comes before any destination holds it, both timed from the same trigger
        double decided = change.get("decidedMs").asDouble(-1);
        assertTrue(decided >= 0 && decided <= change.at("/destinationsMs/haproxy-1").asDouble(), change.toString());

        // the first +switch-master (or the promotion the relay saw itself) moved HAProxy; the others' twins did not
        JsonNode events = json("/api/events?limit=500").get("events");
        assertTrue(events.size() > 3, events.toString());
        List<String> switchDecisions = events.findParents("type").stream()
                .filter(e -> e.get("type").asText().equals("+switch-master")).map(e -> e.get("decision").asText()).toList();
        assertFalse(switchDecisions.isEmpty(), events.toString());
        assertTrue(switchDecisions.stream().allMatch(d -> List.of("applied", "deduplicated", "pending").contains(d)),
                switchDecisions.toString());
        assertTrue(switchDecisions.contains("applied") || switchDecisions.contains("deduplicated"), switchDecisions.toString());
        assertEquals(2, json("/api/events?limit=2").get("events").size());
        assertEquals(400, get(relay, "/api/events?limit=ten", TOKEN).statusCode());

        String metrics = body("/metrics");
        assertTrue(metrics.lines().anyMatch(l -> l.matches(
                "relay_events_received_total\\{sentinel=\"sentinel-[123]\",type=\"\\+switch-master\"} [1-9].*")), metrics);
        assertTrue(metrics.contains("relay_failovers_applied_total{master=\"mymaster\"} 1.0"), metrics);
        assertTrue(metrics.contains("relay_propagation_seconds_count{destination=\"haproxy-1\",master=\"mymaster\"} 1"), metrics);
        assertTrue(metrics.contains("relay_sentinels_reachable 3.0"), metrics);
        assertTrue(metrics.contains("relay_dead_letters 0.0"), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("relay_seconds_since_reconcile{master=\"mymaster\"} ")
                && !l.endsWith("NaN")), metrics);
        // in Camel's registry: the relay's metrics as MetricNamesTest lists them, next to Camel's own route metrics
        assertTrue(MetricNamesTest.EXPOSED.lines().toList().containsAll(MetricNamesTest.exposed(metrics).lines().toList()),
                MetricNamesTest.exposed(metrics));
        assertTrue(metrics.contains("camel_exchanges_total{"), metrics);
        assertTrue(oldMaster != newMaster);
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(4)
    void noSecretInTheConfigurationTheApiOrTheLog() throws Exception {
        JsonNode config = json("/api/configuration");
        assertEquals("******", config.at("/operator/apiToken").asText());
        assertEquals("default:******", config.at("/relay/redisCredentials").asText());
        assertNotNull(config.at("/relay/sentinels/0").asText());
        for (String path : List.of("/api/configuration", "/api/topology", "/api/sentinels", "/api/events?limit=500", "/metrics")) {
            String body = body(path);
            assertFalse(body.contains(PASSWORD), path + " shows the password");
            assertFalse(body.contains(TOKEN), path + " shows the token");
            assertFalse(body.contains("webhook-secret-8c2d"), path + " shows the webhook URL");
        }
        assertFalse(relay.log().contains(PASSWORD), "the log shows the password");
        assertFalse(relay.log().contains(TOKEN), "the log shows the token");
        assertFalse(relay.log().contains("webhook-secret-8c2d"), "the log shows the webhook URL");
    }
}
