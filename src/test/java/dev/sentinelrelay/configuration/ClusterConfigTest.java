package dev.sentinelrelay.configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterConfigTest {

    @Test
    void withoutZooKeeperTheRelayRunsAloneAndActs() {
        RelayConfig c = RelayConfig.from(RelayConfigTest.valid()::get);
        assertNull(c.cluster());
        assertFalse(c.clustered());
        assertFalse(c.observe());
    }

    @Test
    void readsTheClusterWithDefaults() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.zookeeper", "zk1:2181,10.0.0.2:2181,zk3.example.org:2182/relays/prod");
        ClusterConfig c = RelayConfig.from(p::get).cluster();
        assertEquals("zk1:2181,10.0.0.2:2181,zk3.example.org:2182/relays/prod", c.zookeeper());
        assertEquals("sentinel-relay", c.name());
        assertEquals(Duration.ofSeconds(4), c.sessionTimeout());
        assertTrue(c.instance().matches("[A-Za-z0-9.-]+-\\d+"), c.instance());
    }

    @Test
    void readsEveryClusterKeyAndObserveMode() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.zookeeper", "127.0.0.1:2181");
        p.put("relay.cluster.name", "prod_eu-1");
        p.put("relay.cluster.instance", "relay-2");
        p.put("relay.cluster.session-timeout", "1500ms");
        p.put("relay.mode", "observe");
        RelayConfig c = RelayConfig.from(p::get);
        assertEquals(new ClusterConfig("127.0.0.1:2181", null, "prod_eu-1", "relay-2", Duration.ofMillis(1500)), c.cluster());
        assertTrue(c.observe());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "relay.cluster.zookeeper|zk1|relay.cluster.zookeeper: 'zk1' is not host:port",
            "relay.cluster.zookeeper|zk1:2181;zk2:2181|relay.cluster.zookeeper: 'zk1:2181;zk2:2181' is not host:port",
            "relay.cluster.zookeeper|zk1:99999|relay.cluster.zookeeper: ",
            "relay.cluster.zookeeper|zk1:2181/|relay.cluster.zookeeper: 'zk1:2181/' is not host:port",
            "relay.cluster.session-timeout|500ms|relay.cluster.session-timeout: '500ms' is not between 1s and 60s",
            "relay.cluster.session-timeout|2m|relay.cluster.session-timeout: '120000ms' is not between 1s and 60s",
            "relay.cluster.session-timeout|soon|relay.cluster.session-timeout: 'soon' is not a positive duration",
            "relay.cluster.name|a/b|relay.cluster.name: 'a/b' may only contain",
            "relay.cluster.instance|relay 1|relay.cluster.instance: 'relay 1' may only contain",
            "relay.mode|passive|relay.mode: 'passive' is not act or observe",
    })
    void rejectsInvalidValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.zookeeper", "127.0.0.1:2181");
        p.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void theDefaultInstanceIsTheHostAndPid() {
        assertTrue(ClusterConfig.defaultInstance().endsWith("-" + ProcessHandle.current().pid()));
    }

    @Test
    void readsTheLeaseKeysAndDefaultsTheLeaseToTheClusterName() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.kubernetes.enabled", "true");
        p.put("relay.cluster.name", "Prod_EU");
        p.put("relay.cluster.instance", "relay-2");
        ClusterConfig c = RelayConfig.from(p::get).cluster();
        assertEquals(new ClusterConfig(null, new ClusterConfig.Lease(null, "prod-eu"), "Prod_EU", "relay-2",
                Duration.ofSeconds(15)), c);
        p.put("relay.cluster.kubernetes.namespace", "redis");
        p.put("relay.cluster.kubernetes.lease", "relays");
        p.put("relay.cluster.kubernetes.lease-duration", "4s");
        assertEquals(new ClusterConfig(null, new ClusterConfig.Lease("redis", "relays"), "Prod_EU", "relay-2",
                Duration.ofSeconds(4)), RelayConfig.from(p::get).cluster());
        assertTrue(RelayConfig.from(p::get).electsOnLease());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "relay.cluster.zookeeper|zk1:2181|relay.cluster.zookeeper: is set together with relay.cluster.kubernetes.enabled",
            "relay.cluster.session-timeout|4s|relay.cluster.session-timeout: is ZooKeeper's; on a Kubernetes Lease set relay.cluster.kubernetes.lease-duration",
            "relay.cluster.kubernetes.lease-duration|1s|relay.cluster.kubernetes.lease-duration: '1000ms' is not whole seconds between 2s and 60s",
            "relay.cluster.kubernetes.lease-duration|2500ms|relay.cluster.kubernetes.lease-duration: '2500ms' is not whole seconds",
            "relay.cluster.kubernetes.lease|Relays|relay.cluster.kubernetes.lease: 'Relays' is not a Lease name",
            "relay.cluster.kubernetes.namespace|a_b|relay.cluster.kubernetes.namespace: 'a_b' is not a namespace name",
    })
    void refusesABadLeaseSetting(String key, String value, String message) {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.kubernetes.enabled", "true");
        p.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void refusesALeaseSettingWhileTheLeaseIsOff() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.cluster.kubernetes.lease", "relays");
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertEquals("relay.cluster.kubernetes.lease: is set but relay.cluster.kubernetes.enabled is not true", e.getMessage());
    }
}
