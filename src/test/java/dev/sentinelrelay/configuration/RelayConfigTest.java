package dev.sentinelrelay.configuration;

import dev.sentinelrelay.configuration.RelayConfig.HaproxyMode;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;
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

    /** A minimal valid configuration (addr mode), for tests to break one key of. */
    public static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("relay.sentinels", "127.0.0.1:26379, [::1]:26380,sentinel-3:26381");
        p.put("relay.masters", "mymaster");
        p.put("relay.haproxy.endpoints", "unix:/run/haproxy/admin.sock,tcp:127.0.0.1:9999");
        p.put("relay.haproxy.mymaster.backend", "redis_mymaster");
        p.put("relay.haproxy.mymaster.server", "master");
        return p;
    }

    /** A minimal valid map-mode configuration. */
    public static Map<String, String> validMap() {
        Map<String, String> p = valid();
        p.remove("relay.haproxy.mymaster.backend");
        p.remove("relay.haproxy.mymaster.server");
        p.put("relay.haproxy.mymaster.mode", "map");
        p.put("relay.haproxy.mymaster.map-file", "/etc/haproxy/redis.map");
        p.put("relay.haproxy.mymaster.backends", "redis_node1, redis_node2,redis_node3");
        p.put("relay.haproxy.mymaster.reject-backend", "redis_reject");
        return p;
    }

    private static HaproxyTarget target(Map<String, String> p) {
        return RelayConfig.from(p::get).haproxyTargets().get("mymaster");
    }

    static String error(Map<String, String> p) {
        ConfigException e = assertThrows(ConfigException.class, () -> RelayConfig.from(p::get));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
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
        assertEquals(Duration.ofSeconds(10), c.reconcileInterval());
        assertEquals(Duration.ofMillis(500), c.verifyTimeout());
        assertEquals(Duration.ofSeconds(2), c.haproxyTimeout());
        assertEquals("127.0.0.1", c.apiHost());
        assertEquals(8080, c.apiPort());
        assertFalse(c.sentinelCredentials().present());
    }

    @Test
    void discoveryIsOffByDefaultAndForgetsAfterTenMinutes() {
        assertEquals(new DiscoveryConfig(false, Duration.ofMinutes(10)), RelayConfig.from(valid()::get).discovery());
        Map<String, String> p = valid();
        p.put("relay.sentinels.discover", "true");
        p.put("relay.sentinels.forget-after", "3s");
        assertEquals(new DiscoveryConfig(true, Duration.ofSeconds(3)), RelayConfig.from(p::get).discovery());
    }

    @Test
    void modeDefaultsToAddrWithFencingOn() {
        assertEquals(new HaproxyTarget(HaproxyMode.ADDR, "redis_mymaster", "master", List.of(), null, null, true),
                target(valid()));
    }

    @Test
    void fenceTimeoutDefaultsToThirtySecondsAndIsConfigurable() {
        assertEquals(Duration.ofSeconds(30), RelayConfig.from(valid()::get).fenceTimeout());
        Map<String, String> p = valid();
        p.put("relay.fence.timeout", "1500ms");
        assertEquals(Duration.ofMillis(1500), RelayConfig.from(p::get).fenceTimeout());
    }

    @Test
    void fenceCanBeTurnedOff() {
        Map<String, String> p = valid();
        p.put("relay.haproxy.mymaster.fence", "false");
        assertFalse(target(p).fence());
        p.put("relay.haproxy.mymaster.fence", " true ");
        assertTrue(target(p).fence());
    }

    @Test
    void stateModeNeedsOnlyTheBackend() {
        Map<String, String> p = valid();
        p.put("relay.haproxy.mymaster.mode", "state");
        p.remove("relay.haproxy.mymaster.server");
        assertEquals(new HaproxyTarget(HaproxyMode.STATE, "redis_mymaster", null, List.of(), null, null, true), target(p));
    }

    @Test
    void mapModeReadsMapFileBackendsAndRejectBackend() {
        assertEquals(new HaproxyTarget(HaproxyMode.MAP, null, null, List.of("redis_node1", "redis_node2", "redis_node3"),
                "/etc/haproxy/redis.map", "redis_reject", true), target(validMap()));
    }

    @Test
    void mapModeWithoutFencingNeedsNoRejectBackend() {
        Map<String, String> p = validMap();
        p.remove("relay.haproxy.mymaster.reject-backend");
        p.put("relay.haproxy.mymaster.fence", "false");
        HaproxyTarget t = target(p);
        assertEquals(HaproxyMode.MAP, t.mode());
        assertEquals(null, t.rejectBackend());
        assertFalse(t.fence());
    }

    @Test
    void mapModeWithoutFencingStillValidatesAGivenRejectBackend() {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.fence", "false");
        assertEquals("redis_reject", target(p).rejectBackend());
        p.put("relay.haproxy.mymaster.reject-backend", "a;b");
        assertTrue(error(p).startsWith("relay.haproxy.mymaster.reject-backend: 'a;b' may only contain"));
    }

    @Test
    void mapModeWithFencingRequiresARejectBackend() {
        Map<String, String> p = validMap();
        p.remove("relay.haproxy.mymaster.reject-backend");
        assertEquals("relay.haproxy.mymaster.reject-backend: is required in map mode while relay.haproxy.mymaster.fence "
                + "is true (where fenced clients go)", error(p));
    }

    @Test
    void mapModeRejectsTheSameBackendTwice() {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.backends", "redis_node1,redis_node2, redis_node1");
        assertEquals("relay.haproxy.mymaster.backends: lists the same backend twice", error(p));
    }

    @ParameterizedTest(name = "map-file={0}")
    @CsvSource(delimiter = '|', value = {
            "etc/haproxy/redis.map",
            "./redis.map",
            "/etc/haproxy/a;b.map",
            "'/etc/haproxy/a b.map'",
            "/etc/haproxy/../secret.map",
            "/../redis.map",
            "/etc/haproxy/..",
            "/etc/haproxy/#1",
            "/etc/haproxy/",
            "'/etc/haproxy/redis.map; show sess'",
    })
    void mapModeRejectsUnsafeMapFiles(String mapFile) {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.map-file", mapFile);
        assertEquals("relay.haproxy.mymaster.map-file: '" + mapFile
                + "' must be an absolute path of letters, digits, '.', '-', '_' and '/'", error(p));
    }

    @Test
    void mapModeRejectsAnOverlongMapFileName() {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.map-file", "/etc/" + "m".repeat(129));
        assertTrue(error(p).startsWith("relay.haproxy.mymaster.map-file: '/etc/mmm"));
    }

    @Test
    void mapModeAcceptsDotsInsideNames() {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.map-file", "/etc/haproxy/..redis.map");
        assertEquals("/etc/haproxy/..redis.map", target(p).mapFile());
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
            "relay.masters|a,a|relay.masters: lists the same master twice",
            "relay.haproxy.endpoints|/run/admin.sock|relay.haproxy.endpoints: '/run/admin.sock' must start with unix: or tcp:",
            "relay.haproxy.endpoints|unix:relative.sock|relay.haproxy.endpoints: 'unix:relative.sock' needs an absolute socket path",
            "relay.haproxy.endpoints|tcp:127.0.0.1|relay.haproxy.endpoints: '127.0.0.1' is not host:port",
            "relay.haproxy.mymaster.backend|NULL|relay.haproxy.mymaster.backend: is required but not set",
            "relay.haproxy.mymaster.server|NULL|relay.haproxy.mymaster.server: is required but not set",
            "relay.haproxy.mymaster.server|'a b'|relay.haproxy.mymaster.server: 'a b' may only contain",
            "relay.haproxy.mymaster.server|'x;shutdown'|relay.haproxy.mymaster.server: 'x;shutdown' may only contain",
            "relay.haproxy.mymaster.server|#1|relay.haproxy.mymaster.server: '#1' may only contain",
            "relay.haproxy.mymaster.mode|nat|relay.haproxy.mymaster.mode: 'nat' is not one of addr, state, map",
            "relay.haproxy.mymaster.mode|MAP|relay.haproxy.mymaster.mode: 'MAP' is not one of addr, state, map",
            "relay.haproxy.mymaster.fence|yes|relay.haproxy.mymaster.fence: 'yes' is not true or false",
            "relay.haproxy.mymaster.fence|TRUE|relay.haproxy.mymaster.fence: 'TRUE' is not true or false",
            "relay.haproxy.mymaster.fence|0|relay.haproxy.mymaster.fence: '0' is not true or false",
            "relay.fence.timeout|30|relay.fence.timeout: '30' is not a positive duration",
            "relay.fence.timeout|0s|relay.fence.timeout: '0s' is not a positive duration",
            "relay.fence.timeout|-1s|relay.fence.timeout: '-1s' is not a positive duration",
            "relay.haproxy.timeout|2 s|relay.haproxy.timeout: '2 s' is not a positive duration",
            "relay.reconcile.interval|10|relay.reconcile.interval: '10' is not a positive duration",
            "relay.reconcile.interval|0s|relay.reconcile.interval: '0s' is not a positive duration",
            "relay.verify.timeout|fast|relay.verify.timeout: 'fast' is not a positive duration",
            "relay.sentinels.forget-after|10|relay.sentinels.forget-after: '10' is not a positive duration",
            "relay.sentinels.forget-after|0m|relay.sentinels.forget-after: '0m' is not a positive duration",
            "relay.sentinels.forget-after|25h|relay.sentinels.forget-after: '25h' is longer than 24h",
            "relay.sentinels.discover|yes|relay.sentinels.discover: 'yes' is not true or false",
            "relay.verify.timeout|999999999h|relay.verify.timeout: '999999999h' is longer than 24h",
            "relay.fence.timeout|25h|relay.fence.timeout: '25h' is longer than 24h",
            "relay.api.port|70000|relay.api.port: port 70000 is outside 1-65535",
            "relay.warm-up.rounds|-1|relay.warm-up.rounds: '-1' is not a whole number from 0 to 10000",
            "relay.warm-up.rounds|many|relay.warm-up.rounds: 'many' is not a whole number from 0 to 10000",
            "relay.warm-up.rounds|10001|relay.warm-up.rounds: '10001' is not a whole number from 0 to 10000",
            "relay.api.port|http|relay.api.port: port 'http' is not a number",
            "relay.api.host|'bad host'|relay.api.host: 'bad host' is not an IP address or hostname",
            "relay.sentinel.username|admin|relay.sentinel.password: is required when relay.sentinel.username is set",
            "relay.redis.username|app|relay.redis.password: is required when relay.redis.username is set",
    })
    void rejectsInvalidValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = valid();
        p.put(key, value);
        String e = error(p);
        assertTrue(e.startsWith(message), e);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "relay.haproxy.mymaster.map-file|NULL|relay.haproxy.mymaster.map-file: is required but not set",
            "relay.haproxy.mymaster.backends|NULL|relay.haproxy.mymaster.backends: is required but not set",
            "relay.haproxy.mymaster.backends|redis_node1,,redis_node2|relay.haproxy.mymaster.backends: has an empty entry",
            "relay.haproxy.mymaster.backends|'a;b'|relay.haproxy.mymaster.backends: 'a;b' may only contain",
            "relay.haproxy.mymaster.backends|'node 1,node2'|relay.haproxy.mymaster.backends: 'node 1' may only contain",
            "relay.haproxy.mymaster.reject-backend|'x y'|relay.haproxy.mymaster.reject-backend: 'x y' may only contain",
            "relay.haproxy.mymaster.reject-backend|redis_node2|relay.haproxy.mymaster.reject-backend: 'redis_node2' is one of the nodes' backends",
    })
    void mapModeRejectsInvalidValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = validMap();
        p.put(key, value);
        String e = error(p);
        assertTrue(e.startsWith(message), e);
    }

    @Test
    void anErrorStaysOnOneLineWhateverTheValueHolds() {
        Map<String, String> p = validMap();
        p.put("relay.haproxy.mymaster.map-file", "/etc/a\nshow sess");
        assertEquals("relay.haproxy.mymaster.map-file: '/etc/a?show sess' must be an absolute path of letters, digits,"
                + " '.', '-', '_' and '/'", error(p));
    }

    @Test
    void eachMasterGetsItsOwnTarget() {
        Map<String, String> p = validMap();
        p.put("relay.masters", "mymaster,cache");
        p.put("relay.haproxy.cache.mode", "state");
        p.put("relay.haproxy.cache.backend", "redis_cache");
        RelayConfig c = RelayConfig.from(p::get);
        assertEquals(HaproxyMode.MAP, c.haproxyTargets().get("mymaster").mode());
        assertEquals(new HaproxyTarget(HaproxyMode.STATE, "redis_cache", null, List.of(), null, null, true),
                c.haproxyTargets().get("cache"));
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
        assertEquals("RELAY_HAPROXY_MY_MASTER_REJECT_BACKEND", RelayProperties.envName("relay.haproxy.my-master.reject-backend"));
    }

    @Test
    void aReadPoolIsOptionalAndItsKeysHaveDefaults() {
        assertEquals(Map.of(), RelayConfig.from(valid()::get).readPools());
        Map<String, String> p = valid();
        p.put("relay.haproxy.mymaster.read-backend", "redis_read");
        assertEquals(new ReadPoolTarget("redis_read", 1 << 20, true, false),
                RelayConfig.from(p::get).readPools().get("mymaster"));
        p.put("relay.haproxy.mymaster.read-max-lag", "512kB");
        p.put("relay.haproxy.mymaster.read-include-master", "false");
        p.put("relay.haproxy.mymaster.read-drain", "true");
        assertEquals(new ReadPoolTarget("redis_read", 512 << 10, false, true),
                RelayConfig.from(p::get).readPools().get("mymaster"));
        p.put("relay.haproxy.mymaster.read-max-lag", "0");
        assertEquals(0, RelayConfig.from(p::get).readPools().get("mymaster").maxLagBytes());
        p.put("relay.haproxy.mymaster.read-max-lag", "65536");
        assertEquals(65536, RelayConfig.from(p::get).readPools().get("mymaster").maxLagBytes());
    }

    @Test
    void invalidReadPoolKeysAreRefusedNamingTheKey() {
        Map<String, String> p = valid();
        p.put("relay.haproxy.mymaster.read-drain", "true");
        assertEquals("relay.haproxy.mymaster.read-drain: has no effect without relay.haproxy.mymaster.read-backend",
                error(p));
        p.put("relay.haproxy.mymaster.read-backend", "redis read");
        assertTrue(error(p).startsWith("relay.haproxy.mymaster.read-backend: 'redis read' may only contain"));
        p.put("relay.haproxy.mymaster.read-backend", "redis_read");
        p.put("relay.haproxy.mymaster.read-max-lag", "1 TB");
        assertEquals("relay.haproxy.mymaster.read-max-lag: '1 TB' is not a size like 0, 65536, 512kB, 1MB or 2GB", error(p));
        p.put("relay.haproxy.mymaster.read-max-lag", "2048GB");
        assertEquals("relay.haproxy.mymaster.read-max-lag: '2048GB' is larger than 1TB", error(p));
        p.put("relay.haproxy.mymaster.read-max-lag", "1MB");
        p.put("relay.haproxy.mymaster.read-include-master", "yes");
        assertEquals("relay.haproxy.mymaster.read-include-master: 'yes' is not true or false", error(p));
        p.put("relay.haproxy.mymaster.read-include-master", "true");
        p.put("relay.haproxy.mymaster.read-backend", "redis_mymaster");
        assertEquals("relay.haproxy.mymaster.read-backend: 'redis_mymaster' is a write backend of mymaster: the read pool"
                + " needs a backend of its own", error(p));
    }
}
