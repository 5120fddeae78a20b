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
