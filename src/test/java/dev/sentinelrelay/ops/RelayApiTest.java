package dev.sentinelrelay.ops;

import dev.sentinelrelay.destinations.PlaceTask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.resolve.Trigger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HostPort MASTER = new HostPort("10.0.0.1", 6379);

    private final Map<String, String> properties = RelayConfigTest.valid();
    private final Map<String, String> held = new LinkedHashMap<>();
    private RelayState state;

    private RelayApi api() {
        RelayConfig config = RelayConfig.from(properties::get);
        state = new RelayState(Map.of("sentinel-1", config.sentinels().get(0)), 10,
                new RelayMetrics(new SimpleMeterRegistry(), config.masters(), () -> 0, m -> 0));
        RelayHealth health = new RelayHealth(config.masters(), config::sentinelMajority);
        return new RelayApi(config, OperatorConfig.read(properties::get), state, health, new RelayApi.Holdings() {
            @Override
            public String haproxy(HaproxyEndpoint endpoint, String master) {
                return held.get(endpoint.id());
            }

            @Override
            public String consul(String master) {
                return held.get("consul");
            }

            @Override
            public String kubernetes(String master) {
                return held.get("kubernetes");
            }
        }, master -> List.of(Map.of("address", "10.0.0.2:6379", "flags", "slave")), master -> null,
                new Leadership(config.cluster(), config.observe(), null, System::nanoTime)::view);
    }

    @Test
    void theConfigurationMasksEverySecretEvenShortOnes() throws Exception {
        properties.put("relay.redis.password", "pw");
        properties.put("relay.sentinel.username", "admin");
        properties.put("relay.sentinel.password", "sentinel-secret");
        properties.put("relay.consul.url", "http://127.0.0.1:8500");
        properties.put("relay.consul.token", "consul-token-123");
        properties.put("relay.api.token", "api-token-0123456789");
        properties.put("relay.kubernetes.enabled", "true");
        properties.put("relay.kubernetes.token", "kube-token-789");
        String body = api().configuration();
        for (String secret : List.of("\"pw\"", "sentinel-secret", "consul-token-123", "api-token-0123456789", "kube-token-789")) {
            assertFalse(body.contains(secret), secret + " leaked: " + body);
        }
        JsonNode config = JSON.readTree(body);
        assertEquals("******", config.at("/relay/consul/token").asText());
        assertEquals("******", config.at("/relay/kubernetes/token").asText());
        assertEquals("******", config.at("/operator/apiToken").asText());
        assertEquals("admin:******", config.at("/relay/sentinelCredentials").asText());
        assertEquals("127.0.0.1:26379", config.at("/relay/sentinels/0").asText());
        assertEquals("PT10S", config.at("/relay/reconcileInterval").asText());
    }

    @Test
    void topologyShowsEachDestinationInStepOrWhyNot() throws Exception {
        RelayApi api = api();
        Routing routing = Routing.route(Trigger.reconcile("mymaster"), MASTER);
        state.decided(routing);
        held.put("haproxy-1", "10.0.0.1:6379");
        state.reportFailed(new PlaceTask("haproxy-2", routing), "Cannot connect to 127.0.0.1:9999");

        JsonNode master = JSON.readTree(api.topology()).at("/masters/0");
        assertEquals("mymaster", master.get("name").asText());
        assertEquals("10.0.0.1:6379", master.get("master").asText());
        assertEquals("10.0.0.2:6379", master.at("/replicas/0/address").asText());
        assertTrue(master.at("/destinations/0/inStep").asBoolean());
        assertFalse(master.at("/destinations/1/inStep").asBoolean());
        assertEquals("Cannot connect to 127.0.0.1:9999", master.at("/destinations/1/reason").asText());
        assertEquals("10.0.0.1:6379", master.at("/lastChange/to").asText());
    }

    @Test
    void anObservingRelayShowsPerMasterWhatItWouldRouteAndWhichDestinationDisagrees() throws Exception {
        properties.put("relay.mode", "observe");
        RelayApi api = api();
        Routing routing = Routing.route(Trigger.reconcile("mymaster"), MASTER);
        state.decided(routing);
        held.put("haproxy-1", "10.0.0.1:6379");
        state.reportWouldChange(new PlaceTask("haproxy-2", routing));

        JsonNode cluster = JSON.readTree(api.cluster());
        assertEquals("observe", cluster.get("role").asText());
        JsonNode master = cluster.at("/masters/0");
        assertEquals("10.0.0.1:6379", master.get("route").asText());
        assertFalse(master.get("destinationsAgree").asBoolean());
        assertTrue(master.at("/destinations/haproxy-1/agrees").asBoolean());
        assertTrue(master.at("/destinations/haproxy-1/wouldWrite").isNull());
        assertFalse(master.at("/destinations/haproxy-2/agrees").asBoolean());
        assertEquals("10.0.0.1:6379", master.at("/destinations/haproxy-2/wouldWrite").asText());
        assertEquals("read back out of step; this relay does not write (see /api/cluster), it would write 10.0.0.1:6379",
                JSON.readTree(api.topology()).at("/masters/0/destinations/1/reason").asText());

        state.reportInStep(new PlaceTask("haproxy-2", routing)); // read back in step (HAProxy moved by itself)
        held.put("haproxy-2", "10.0.0.1:6379");
        master = JSON.readTree(api.cluster()).at("/masters/0");
        assertTrue(master.get("destinationsAgree").asBoolean());
        assertTrue(master.at("/destinations/haproxy-2/wouldWrite").isNull());
    }

    @Test
    void eventsTakeALimitWithinTheRingBuffer() throws Exception {
        RelayApi api = api();
        for (int i = 0; i < 3; i++) {
            state.rejected("sentinel-1 (127.0.0.1:26379)", "malformed", "event " + i);
        }
        assertEquals(2, JSON.readTree(api.events("2")).get("events").size());
        assertEquals(3, JSON.readTree(api.events(null)).get("events").size());
        assertThrows(IllegalArgumentException.class, () -> api.events("0"));
        assertThrows(IllegalArgumentException.class, () -> api.events("11"));
        assertThrows(IllegalArgumentException.class, () -> api.events("ten"));
    }
}
