package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code relay.log.format=json}: every line the relay prints is one JSON object, and no configured secret appears in
 * it: the Redis and sentinel password, the API token, a webhook URL's path, and a Consul token that the Consul client puts in the URL of
 * the failures it reports (the Consul double refuses it with 403, so every update is retried and dead-lettered).
 */
class JsonLogsIT extends SandboxIT {

    private static final String PASSWORD = "json-redis-pass-71d";
    private static final String API_TOKEN = "json-api-token-0c4f2e";
    private static final String CONSUL_TOKEN = "json-consul-token-9a8b";
    /** The secret part of a webhook URL (nothing listens there: every alert fails and is retried). */
    private static final String WEBHOOK_PATH = "/hooks/T0JSON/B0LOGS/webhook-secret-3e7f";
    private static final ObjectMapper JSON = new ObjectMapper();
    private ConsulDouble consul;

    @BeforeAll
    void start() throws Exception {
        consul = ConsulDouble.start("the-token-consul-expects");
        sandbox = Sandbox.start(PASSWORD);
        relay = Relay.start(sandbox, Map.of("relay.log.format", "json", "relay.sentinel.password", PASSWORD,
                "relay.redis.password", PASSWORD, "relay.api.token", API_TOKEN,
                "relay.consul.url", consul.url(), "relay.consul.token", CONSUL_TOKEN,
                "relay.alerts.channels", "ops", "relay.alerts.ops.type", "webhook",
                "relay.alerts.ops.url", "http://127.0.0.1:" + Sandbox.freePort() + WEBHOOK_PATH,
                "relay.alerts.ops.attempts", "2"),
                Map.of("Authorization", "Bearer " + API_TOKEN));
    }

    @Test
    void everyLineIsJsonAndNoSecretIsLogged() throws Exception {
        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster);
        await("consul update dead-lettered").atMost(Duration.ofSeconds(60))
                .until(() -> relay.count("consul update failed after retries") > 0);
        // the webhook's alerts fail too, and are counted per channel like every other destination
        await("alert channel failure counted").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                OperatorApiIT.get(relay, "/metrics", API_TOKEN).body().contains(
                        "relay_destination_failures_total{destination=\"alert:ops\"}"));

        List<JsonNode> lines = new ArrayList<>();
        for (String line : relay.log().lines().filter(l -> !l.isBlank()).toList()) {
            lines.add(JSON.readTree(line)); // throws on any line that is not JSON
            assertTrue(lines.get(lines.size() - 1).isObject(), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.get("message").asText().startsWith("haproxy updated: mymaster")));
        JsonNode failure = lines.stream().filter(l -> l.get("message").asText().startsWith("consul update failed"))
                .findFirst().orElseThrow();
        assertEquals("ERROR", failure.get("level").asText());
        assertTrue(failure.get("message").asText().contains("403") && failure.get("message").asText().contains("******"),
                failure.toString());
        String log = relay.log();
        for (String secret : List.of(PASSWORD, API_TOKEN, CONSUL_TOKEN, WEBHOOK_PATH, "webhook-secret-3e7f")) {
            assertFalse(log.contains(secret), "the log shows " + secret);
        }
        sandbox.awaitSentinelsSettled();
    }

    @AfterAll
    void stopConsul() {
        consul.close();
    }
}
