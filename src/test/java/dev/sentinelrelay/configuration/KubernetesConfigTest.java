package dev.sentinelrelay.configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubernetesConfigTest {

    /** Kubernetes on, following these masters, each in addr mode on its own backend. */
    private static Map<String, String> following(String... masters) {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.kubernetes.enabled", "true");
        p.put("relay.masters", String.join(",", masters));
        for (String master : masters) {
            p.put("relay.haproxy." + master + ".backend", "redis_" + master);
            p.put("relay.haproxy." + master + ".server", "master");
        }
        return p;
    }

    private static String refusal(Map<String, String> p) {
        return assertThrows(ConfigException.class, () -> RelayConfig.from(p::get)).getMessage();
    }

    @Test
    void offUnlessEnabled() {
        RelayConfig config = RelayConfig.from(RelayConfigTest.valid()::get);
        assertFalse(config.kubernetesEnabled());
        assertNull(config.kubernetes());
    }

    @Test
    void onWithTheClientsOwnSettingsAndADerivedServicePerMaster() {
        KubernetesConfig k = RelayConfig.from(following("mymaster", "Cache_EU.1")::get).kubernetes();
        assertNull(k.url());
        assertNull(k.namespace(), "the client's own (in a pod: the pod's namespace)");
        assertNull(k.token());
        assertEquals(6379, k.servicePort());
        assertEquals(Map.of("mymaster", "redis-mymaster", "Cache_EU.1", "redis-cache-eu-1"), k.services());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mymaster|redis-mymaster",
            "Cache_EU.1|redis-cache-eu-1",
            "x._-|redis-x",
            "a123456789012345678901234567890123456789012345678901234567890|redis-a12345678901234567890123456789012345678901234567890123456",
            "a1234567890123456789012345678901234567890123456789012345-89|redis-a1234567890123456789012345678901234567890123456789012345"})
    void theDerivedNameIsOneLowerCaseDnsLabel(String master, String service) {
        assertEquals(service, KubernetesConfig.serviceName(master));
        assertTrue(KubernetesConfig.SERVICE_NAME.matcher(service).matches());
        assertTrue(service.length() <= 63);
    }

    @Test
    void twoMastersWithTheSameDerivedNameAreRefusedAtStartUp() {
        String message = refusal(following("cache.eu", "Cache_EU"));
        assertEquals("relay.kubernetes.Cache_EU.service: derived name 'redis-cache-eu' is the Service of master"
                + " 'cache.eu' too; set a name of its own", message);

        Map<String, String> p = following("cache.eu", "Cache_EU");
        p.put("relay.kubernetes.Cache_EU.service", "redis-cache-eu-2");
        assertEquals("redis-cache-eu-2", RelayConfig.from(p::get).kubernetes().services().get("Cache_EU"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Redis-Main", "1redis", "redis-", "redis.main", "redis_main"})
    void aSetServiceNameMustBeAServiceName(String name) {
        Map<String, String> p = following("mymaster");
        p.put("relay.kubernetes.mymaster.service", name);
        assertTrue(refusal(p).startsWith("relay.kubernetes.mymaster.service: '" + name + "' is not a Service name"));
    }

    @Test
    void settingsAreCheckedAndTheTokenNeverPrinted() {
        Map<String, String> p = following("mymaster");
        p.put("relay.kubernetes.url", "https://10.96.0.1:443");
        p.put("relay.kubernetes.namespace", "redis");
        p.put("relay.kubernetes.token", "eyJhbGciOi.secret-token");
        p.put("relay.kubernetes.service-port", "6380");
        KubernetesConfig k = RelayConfig.from(p::get).kubernetes();
        assertEquals("redis", k.namespace());
        assertEquals(6380, k.servicePort());
        assertFalse(k.toString().contains("secret-token"), k.toString());

        p.put("relay.kubernetes.namespace", "Redis");
        assertTrue(refusal(p).startsWith("relay.kubernetes.namespace: 'Redis' is not a namespace name"));
        p.put("relay.kubernetes.namespace", "redis");
        p.put("relay.kubernetes.url", "10.96.0.1:443");
        assertTrue(refusal(p).startsWith("relay.kubernetes.url: "));
        p.put("relay.kubernetes.url", "https://10.96.0.1:443");
        p.put("relay.kubernetes.ca-file", "/nonexistent/ca.pem");
        assertTrue(refusal(p).startsWith("relay.kubernetes.ca-file: cannot read"));
    }

    @Test
    void aSettingWhileOffIsRefusedRatherThanIgnored() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.kubernetes.namespace", "redis");
        assertEquals("relay.kubernetes.namespace: is set but relay.kubernetes.enabled is not true", refusal(p));
        p.remove("relay.kubernetes.namespace");
        p.put("relay.kubernetes.mymaster.service", "redis-main");
        assertEquals("relay.kubernetes.mymaster.service: is set but relay.kubernetes.enabled is not true", refusal(p));
    }
}
