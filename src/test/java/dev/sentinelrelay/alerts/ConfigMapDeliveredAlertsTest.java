package dev.sentinelrelay.alerts;

import dev.sentinelrelay.support.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The delivered registry on a ConfigMap, against fabric8's mock API server in CRUD mode. */
class ConfigMapDeliveredAlertsTest {

    private static final Instant T1 = Instant.parse("2026-12-08T03:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-08T03:00:05Z");

    /** A server of its own per test (JUnit makes an instance per test). */
    private final MockApiServer api = new MockApiServer();
    private final KubernetesClient client = api.client();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void whatOneRelayRecordsAnotherReadsPerChannelUntilForgotten() {
        ConfigMapDeliveredAlerts leader = new ConfigMapDeliveredAlerts(client, "redis", "relays-alerts");
        ConfigMapDeliveredAlerts standby = new ConfigMapDeliveredAlerts(client, "redis", "relays-alerts");
        assertEquals(Map.of(), standby.delivered("ops"), "no ConfigMap yet");
        leader.record("ops", "failover-0a1b2c", T1);
        leader.record("oncall", "failover-0a1b2c", T2);
        leader.record("ops", "master-down-9f8e", T2);
        assertEquals(Map.of("failover-0a1b2c", T1, "master-down-9f8e", T2), standby.delivered("ops"));
        assertEquals(Map.of("failover-0a1b2c", T2), standby.delivered("oncall"));
        standby.forget("ops", "failover-0a1b2c");
        standby.forget("ops", "never-recorded");
        assertEquals(Map.of("master-down-9f8e", T2), leader.delivered("ops"));
        ConfigMap map = client.configMaps().inNamespace("redis").withName("relays-alerts").get();
        assertEquals("sentinel-relay", map.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    }

    @Test
    void aRecordMadeByAnotherRelayIsKept() {
        ConfigMapDeliveredAlerts one = new ConfigMapDeliveredAlerts(client, "redis", "relays-alerts");
        one.record("ops", "a-1", T1);
        // another relay records meanwhile: each change is made on the map as read now, so none is lost
        client.configMaps().inNamespace("redis").withName("relays-alerts").edit(m -> {
            m.getData().put("ops.b-2", T2.toString());
            return m;
        });
        one.record("ops", "c-3", T2);
        assertEquals(Map.of("a-1", T1, "b-2", T2, "c-3", T2), one.delivered("ops"));
    }

    @Test
    void theApiServerUnreachableFailsAtOnce() {
        ConfigMapDeliveredAlerts registry = new ConfigMapDeliveredAlerts(client, "redis", "relays-alerts");
        api.stop();
        assertThrows(KubernetesClientException.class, () -> registry.record("ops", "a-1", T1));
        assertThrows(KubernetesClientException.class, () -> registry.delivered("ops"));
    }
}
