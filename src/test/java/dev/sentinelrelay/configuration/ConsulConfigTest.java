package dev.sentinelrelay.configuration;

import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsulConfigTest {

    private static Map<String, String> withConsul() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.consul.url", "http://127.0.0.1:8500");
        return p;
    }

    /** Consul on, following these masters, each in addr mode on its own backend. */
    private static Map<String, String> withConsulFollowing(String... masters) {
        Map<String, String> p = withConsul();
        p.put("relay.masters", String.join(",", masters));
        for (String master : masters) {
            p.put("relay.haproxy." + master + ".backend", "redis_" + master);
            p.put("relay.haproxy." + master + ".server", "master");
        }
        return p;
    }

    @Test
    void offWithoutUrl() {
        RelayConfig config = RelayConfig.from(RelayConfigTest.valid()::get);
        assertFalse(config.consulEnabled());
        assertNull(config.consul());
    }

    @Test
    void defaultsPerMaster() {
        RelayConfig config = RelayConfig.from(withConsul()::get);
        assertTrue(config.consulEnabled());
        assertEquals(new ConsulTarget("redis-mymaster", List.of("master"), "redis-mymaster", null),
                config.consul().targets().get("mymaster"));
        assertNull(config.consul().token());
        assertNull(config.consul().datacenter());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mymaster|redis-mymaster",
            "cache-eu.1|redis-cache-eu-1",
            "sessions_2|redis-sessions-2",
            "a.b_c-d|redis-a-b-c-d",
            "cache.|redis-cache",
            "x._-|redis-x",
            "-|redis",
            "Cache.EU|redis-Cache-EU",
    })
    void derivedNamesAreOneDnsLabel(String master, String name) {
        assertEquals(name, ConsulConfig.derivedName(master));
        assertTrue(ConsulConfig.DNS_LABEL.matcher(name).matches(), name);
    }

    @Test
    void longDerivedNamesAreCutTo63WithoutATrailingDash() {
        // the 63rd character is the '-' that replaced '.': dropped
        assertEquals("redis-" + "a".repeat(56), ConsulConfig.derivedName("a".repeat(56) + ".bcdef"));
        assertEquals(63, ConsulConfig.derivedName("b".repeat(128)).length());
        assertTrue(ConsulConfig.DNS_LABEL.matcher(ConsulConfig.derivedName("c".repeat(56) + "._.__" + "d".repeat(60))).matches());
    }

    @Test
    void mastersWithDotsAndUnderscoresGetValidDefaults() {
        ConsulConfig consul = RelayConfig.from(withConsulFollowing("cache-eu.1", "sessions_2")::get).consul();
        assertEquals(new ConsulTarget("redis-cache-eu-1", List.of("master"), "redis-cache-eu-1", null),
                consul.targets().get("cache-eu.1"));
        assertEquals(new ConsulTarget("redis-sessions-2", List.of("master"), "redis-sessions-2", null),
                consul.targets().get("sessions_2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // derived from both masters' names
            "cache.1|cache_1|||relay.consul.cache_1.service: derived name 'redis-cache-1' collides with the service of master 'cache.1'",
            // DNS names are case-insensitive
            "Cache|cache|||relay.consul.cache.service: derived name 'redis-cache' collides with the service of master 'Cache'",
            // the first one's set value is the second one's derived name
            "a|b|redis-b||relay.consul.b.service: derived name 'redis-b' collides with the service of master 'a'",
            // the second one's set value is the first one's derived name
            "a|b||redis-a|relay.consul.b.service: 'redis-a' collides with the service of master 'a'",
            // both set
            "a|b|cache|CACHE|relay.consul.b.service: 'CACHE' collides with the service of master 'a'",
    })
    void collidingServiceNamesAreRefusedNamingBothMasters(String first, String second, String firstService,
                                                          String secondService, String message) {
        Map<String, String> p = withConsulFollowing(first, second);
        if (firstService != null) {
            p.put("relay.consul." + first + ".service", firstService);
        }
        if (secondService != null) {
            p.put("relay.consul." + second + ".service", secondService);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertEquals(message + "; set a name of its own", e.getMessage());
    }

    @Test
    void mastersMayShareANode() {
        Map<String, String> p = withConsulFollowing("a", "b");
        p.put("relay.consul.a.node", "redis-ext");
        p.put("relay.consul.b.node", "redis-ext");
        ConsulConfig consul = RelayConfig.from(p::get).consul();
        assertEquals("redis-ext", consul.targets().get("a").node());
        assertEquals("redis-ext", consul.targets().get("b").node());
    }

    @Test
    void readsEveryKey() {
        Map<String, String> p = withConsul();
        p.put("relay.consul.token", "8f2c1a4e-secret");
        p.put("relay.consul.datacenter", "eu-west");
        p.put("relay.consul.mymaster.service", "cache");
        p.put("relay.consul.mymaster.tags", "master, primary");
        p.put("relay.consul.mymaster.node", "redis-ext");
        p.put("relay.consul.mymaster.kv-key", "redis/mymaster/master");
        ConsulConfig consul = RelayConfig.from(p::get).consul();
        assertEquals("8f2c1a4e-secret", consul.token());
        assertEquals("eu-west", consul.datacenter());
        assertEquals(new ConsulTarget("cache", List.of("master", "primary"), "redis-ext", "redis/mymaster/master"),
                consul.targets().get("mymaster"));
    }

    @Test
    void theTokenIsNeverShown() {
        Map<String, String> p = withConsul();
        p.put("relay.consul.token", "8f2c1a4e-secret");
        RelayConfig config = RelayConfig.from(p::get);
        assertFalse(config.consul().toString().contains("8f2c1a4e"), config.consul().toString());
        assertFalse(config.toString().contains("8f2c1a4e"));
        assertTrue(config.consul().toString().contains("token ******"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "relay.consul.url|ftp://consul:8500|is not an http:// or https:// URL",
            "relay.consul.url|http://user:pw@consul:8500|is not an http:// or https:// URL",
            "relay.consul.url|http://consul:8500/?token=x|is not an http:// or https:// URL",
            "relay.consul.token|has space|printable characters without spaces",
            "relay.consul.datacenter|dc 1|is not valid",
            "relay.consul.mymaster.service|redis_mymaster|one DNS label",
            "relay.consul.mymaster.node|-node|one DNS label",
            "relay.consul.mymaster.service|cache.eu|one DNS label",
            "relay.consul.mymaster.node|node_1|one DNS label",
            "relay.consul.mymaster.tags|master,,x|comma-separated tags",
            "relay.consul.mymaster.kv-key|/redis/master|is not valid",
            "relay.consul.mymaster.kv-key|redis/../master|is not valid",
    })
    void rejectsInvalidValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = withConsul();
        p.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertTrue(e.getMessage().startsWith(key + ": ") && e.getMessage().contains(message), e.getMessage());
    }
}
