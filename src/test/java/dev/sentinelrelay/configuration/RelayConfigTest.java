package dev.sentinelrelay.configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RelayConfigTest {

    /** A minimal valid configuration, for tests to break one key of. */
    public static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("relay.sentinels", "127.0.0.1:26379, [::1]:26380,sentinel-3:26381");
        p.put("relay.masters", "mymaster");
        p.put("relay.haproxy.endpoints", "unix:/run/haproxy/admin.sock,tcp:127.0.0.1:9999");
        p.put("relay.haproxy.mymaster.backend", "redis_mymaster");
        p.put("relay.haproxy.mymaster.server", "master");
        return p;
    }

    @Test
    void readsAValidConfigurationWithDefaults() {
        RelayConfig c = RelayConfig.from(valid()::get);
        assertEquals(List.of(new HostPort("127.0.0.1", 26379), new HostPort("::1", 26380), new HostPort("sentinel-3", 26381)),
                c.sentinels());
        assertEquals(2, c.sentinelMajority());
        assertEquals(2, c.haproxyEndpoints().size());
        assertEquals("/run/haproxy/admin.sock", c.haproxyEndpoints().get(0).unixPath());
        assertEquals(new HostPort("127.0.0.1", 9999), c.haproxyEndpoints().get(1).tcp());
        assertEquals(new RelayConfig.HaproxyTarget("redis_mymaster", "master"), c.haproxyTargets().get("mymaster"));
        assertEquals(Duration.ofSeconds(10), c.reconcileInterval());
        assertEquals(Duration.ofMillis(500), c.verifyTimeout());
        assertEquals("127.0.0.1", c.apiHost());
        assertEquals(8080, c.apiPort());
        assertFalse(c.sentinelCredentials().present());
    }

    @Test
    void majorityIsMoreThanHalfOfTheConfiguredSentinels() {
        Map<String, String> p = valid();
        p.put("relay.sentinels", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3,127.0.0.1:4");
        assertEquals(3, RelayConfig.from(p::get).sentinelMajority());
        p.put("relay.sentinels", "127.0.0.1:1");
        assertEquals(1, RelayConfig.from(p::get).sentinelMajority());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "relay.sentinels|NULL|relay.sentinels: is required but not set",
            "relay.sentinels|'  '|relay.sentinels: is required but not set",
            "relay.sentinels|127.0.0.1|relay.sentinels: '127.0.0.1' is not host:port",
            "relay.sentinels|127.0.0.1:0|relay.sentinels: port 0 is outside 1-65535",
            "relay.sentinels|127.0.0.1:1,,127.0.0.1:2|relay.sentinels: has an empty entry",
            "relay.sentinels|127.0.0.1:1,127.0.0.1:1|relay.sentinels: lists the same sentinel twice",
            "relay.masters|NULL|relay.masters: is required but not set",
            "relay.masters|my master|relay.masters: master name 'my master' may only contain",
            "relay.masters|mymaster;x|relay.masters: master name 'mymaster;x' may only contain",
            "relay.haproxy.endpoints|/run/admin.sock|relay.haproxy.endpoints: '/run/admin.sock' must start with unix: or tcp:",
            "relay.haproxy.endpoints|unix:relative.sock|relay.haproxy.endpoints: 'unix:relative.sock' needs an absolute socket path",
            "relay.haproxy.endpoints|tcp:127.0.0.1|relay.haproxy.endpoints: '127.0.0.1' is not host:port",
            "relay.haproxy.mymaster.backend|NULL|relay.haproxy.mymaster.backend: is required but not set",
            "relay.haproxy.mymaster.server|'a b'|relay.haproxy.mymaster.server: 'a b' may only contain",
            "relay.haproxy.mymaster.server|'x;shutdown'|relay.haproxy.mymaster.server: 'x;shutdown' may only contain",
            "relay.reconcile.interval|10|relay.reconcile.interval: '10' is not a positive duration",
            "relay.reconcile.interval|0s|relay.reconcile.interval: '0s' is not a positive duration",
            "relay.verify.timeout|fast|relay.verify.timeout: 'fast' is not a positive duration",
            "relay.api.port|70000|relay.api.port: port 70000 is outside 1-65535",
            "relay.api.port|http|relay.api.port: port 'http' is not a number",
            "relay.api.host|'bad host'|relay.api.host: 'bad host' is not an IP address or hostname",
            "relay.sentinel.username|admin|relay.sentinel.password: is required when relay.sentinel.username is set",
            "relay.redis.username|app|relay.redis.password: is required when relay.redis.username is set",
    })
    void rejectsInvalidValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = valid();
        p.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void credentialsNeverShowTheirPassword() {
        Map<String, String> p = valid();
        p.put("relay.redis.username", "app");
        p.put("relay.redis.password", "s3cret");
        p.put("relay.sentinel.password", "t0ken");
        RelayConfig c = RelayConfig.from(p::get);
        assertEquals("app:******", c.redisCredentials().toString());
        assertEquals("default:******", c.sentinelCredentials().toString());
        assertFalse(c.toString().contains("s3cret") || c.toString().contains("t0ken"), c.toString());
    }

    @Test
    void systemPropertiesWinOverEnvironmentWhichWinsOverTheFile() {
        Properties file = new Properties();
        file.setProperty("relay.api.port", "1");
        file.setProperty("relay.masters", "a");
        file.setProperty("relay.verify.timeout", "1s");
        Properties system = new Properties();
        system.setProperty("relay.api.port", "3");
        RelayProperties props = new RelayProperties(file, Map.of("RELAY_API_PORT", "2", "RELAY_MASTERS", "b"), system);
        assertEquals("3", props.apply("relay.api.port"));
        assertEquals("b", props.apply("relay.masters"));
        assertEquals("1s", props.apply("relay.verify.timeout"));
        assertEquals(null, props.apply("relay.reconcile.interval"));
        assertEquals("RELAY_HAPROXY_MY_MASTER_BACKEND", RelayProperties.envName("relay.haproxy.my-master.backend"));
    }
}
