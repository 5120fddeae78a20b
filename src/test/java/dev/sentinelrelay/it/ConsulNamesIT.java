package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Master names with '.' and '_' (valid in Sentinel and in relay.masters) with Consul on and no Consul name set: the
 * relay starts and registers the derived names (redis-cache-eu-1, redis-sessions-2), and follows a failover of each
 * master in HAProxy (relay.haproxy.cache-eu.1.backend = redis_cache-eu.1) and Consul, its metrics and API naming
 * the masters as Sentinel does. sessions_2 is the sandbox's first master (the committed config's redis_mymaster),
 * cache-eu.1 the other one, with a frontend and backend named after it.
 */
class ConsulNamesIT extends SandboxIT {

    private static final String SESSIONS = "sessions_2";
    private static final String CACHE = "cache-eu.1";
    private static final Map<String, String> SERVICES = Map.of(SESSIONS, "redis-sessions-2", CACHE, "redis-cache-eu-1");
    private static final Duration FOLLOW = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private ConsulDouble consul;

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.startTwoMasters(SESSIONS, CACHE);
        consul = ConsulDouble.start(null);
        relayWith(Map.of("relay.consul.url", consul.url()));
    }

    @AfterAll
    void stopConsul() {
        consul.close();
    }

    @Test
    void theRelayStartsAndRegistersTheDerivedNames() throws Exception {
        relayWith(Map.of("relay.consul.url", consul.url()));
        await("both masters registered under their derived names").atMost(FOLLOW).until(() ->
                catalogPort(SESSIONS) == sandbox.sentinelMasterPort(SESSIONS) && catalogPort(CACHE) == sandbox.sentinelMasterPort(CACHE));
        JsonNode masters = JSON.readTree(OperatorApiIT.get(relay, "/api/topology", null).body()).get("masters");
        assertEquals(List.of(SESSIONS, CACHE), StreamSupport.stream(masters.spliterator(), false)
                .map(m -> m.get("name").asText()).toList(), masters.toString());
    }

    @Test
    void aFailoverOfEachMasterMovesHaproxyAndConsul() throws Exception {
        relayWith(Map.of("relay.consul.url", consul.url()));
        int sessions = sandbox.sentinelMasterPort(SESSIONS);
        int cache = sandbox.sentinelMasterPort(CACHE);
        await("start-up registered both masters").atMost(FOLLOW)
                .until(() -> catalogPort(SESSIONS) == sessions && catalogPort(CACHE) == cache);

        sandbox.requestFailover(SESSIONS);
        sandbox.requestFailover(CACHE);
        await("both failed over").atMost(Duration.ofSeconds(60)).until(() ->
                List.of(-1, sessions).indexOf(sandbox.sentinelMasterPort(SESSIONS)) < 0
                        && List.of(-1, cache).indexOf(sandbox.sentinelMasterPort(CACHE)) < 0);
        int newSessions = sandbox.sentinelMasterPort(SESSIONS);
        int newCache = sandbox.sentinelMasterPort(CACHE);

        sandbox.awaitClientsReach(newSessions);
        await("new connections through the redis_" + CACHE + " frontend reach " + newCache).atMost(FOLLOW)
                .ignoreExceptions().until(() -> {
                    try (Jedis j = sandbox.jedis(sandbox.otherFrontendPort)) {
                        return Sandbox.tcpPort(j) == newCache;
                    }
                });
        await("Consul answers both new masters").atMost(FOLLOW)
                .until(() -> catalogPort(SESSIONS) == newSessions && catalogPort(CACHE) == newCache);
        assertTrue(relay.count("consul updated: " + CACHE + " ") >= 1 && relay.count("haproxy updated: " + CACHE + " ") >= 1,
                relay.tail());
        String metrics = OperatorApiIT.get(relay, "/metrics", null).body();
        for (String master : List.of(SESSIONS, CACHE)) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("relay_failovers_applied_total{master=\"" + master + "\"} ")
                    && !l.endsWith(" 0.0")), metrics);
        }
        sandbox.awaitSentinelsSettled();
    }

    /** The port the catalog answers for the master's derived service on its derived node; -1 when none. */
    private int catalogPort(String master) {
        return consul.servicePort(SERVICES.get(master), SERVICES.get(master));
    }
}
