package dev.sentinelrelay.it;

import dev.sentinelrelay.tls.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped HAProxy configs pass {@code haproxy -c} with the environment their headers document, and a bad
 * value makes the check fail. No servers needed: {@code haproxy -c} binds nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyConfigIT {

    private static final Path MAP_EXAMPLE = Sandbox.HOME.resolve("config/haproxy/masters.map");

    private Path dir;
    private int checks;

    @BeforeAll
    void createDir() throws IOException {
        dir = Files.createTempDirectory("sentinel-relay-haproxy-it-");
    }

    @AfterAll
    void deleteDir() {
        Sandbox.keepLogsAndDelete(dir);
    }

    @ParameterizedTest
    @EnumSource(HaproxyMode.class)
    void shippedConfigIsValid(HaproxyMode mode) throws Exception {
        String out = check(mode, validEnv());
        assertTrue(out.contains("Configuration file is valid"), out);
        assertFalse(out.contains("[WARNING]"), "a shipped config should check without warnings:\n" + out);
    }

    @ParameterizedTest
    @EnumSource(value = HaproxyMode.class, names = {"STATE", "READ_WRITE"})
    void stateConfigWithPasswordIsValid(HaproxyMode mode) throws Exception {
        Map<String, String> env = validEnv();
        env.put("REDIS_PASSWORD", "s3cret with \"quotes\" and $ signs");
        assertTrue(check(mode, env).contains("Configuration file is valid"));
    }

    @ParameterizedTest
    @EnumSource(HaproxyMode.class)
    void tlsToTheRedisServersIsValid(HaproxyMode mode) throws Exception {
        try (TestCertificates certs = TestCertificates.inTempDir()) {
            Map<String, String> env = validEnv();
            env.put("REDIS_TLS_CA_FILE", certs.ca.cert().toString());
            env.put("REDIS_TLS_CLIENT_PEM", certs.client.combined().toString());
            String out = check(mode, env);
            assertTrue(out.contains("Configuration file is valid"), out);
            assertFalse(out.contains("[WARNING]"), out);
        }
    }

    @Test
    void missingTlsCaFileIsRejected() throws Exception {
        Map<String, String> env = validEnv();
        env.put("REDIS_TLS_CA_FILE", dir.resolve("no-such-ca.pem").toString());
        assertRejected(HaproxyMode.STATE, env, "Couldn't open the ca-file");
    }

    @ParameterizedTest
    @EnumSource(HaproxyMode.class)
    void invalidFrontendAddressIsRejected(HaproxyMode mode) throws Exception {
        Map<String, String> env = validEnv();
        env.put("FRONTEND_ADDR", "not-an-address");
        assertRejected(mode, env, "missing port specification in 'not-an-address'");
    }

    @Test
    void invalidReadFrontendAddressIsRejected() throws Exception {
        Map<String, String> env = validEnv();
        env.put("READ_FRONTEND_ADDR", "not-an-address");
        assertRejected(HaproxyMode.READ_WRITE, env, "missing port specification in 'not-an-address'");
    }

    /** read-write.cfg's write side is state mode: its write backend must not drift from state.cfg's. */
    @Test
    void readWriteConfigWritesAsStateConfig() throws IOException {
        assertEquals(section(HaproxyMode.STATE, "backend redis_mymaster"),
                section(HaproxyMode.READ_WRITE, "backend redis_mymaster"));
    }

    /** The lines of a config section (from its header line to the next blank line), without comments. */
    private static List<String> section(HaproxyMode mode, String header) throws IOException {
        List<String> lines = Files.readAllLines(mode.config());
        int start = lines.indexOf(header);
        assertTrue(start >= 0, mode.config() + " has no '" + header + "'");
        return lines.subList(start, lines.size()).stream().takeWhile(l -> !l.isBlank())
                .filter(l -> !l.strip().startsWith("#")).toList();
    }

    @Test
    void missingMapFileIsRejected() throws Exception {
        Map<String, String> env = validEnv();
        env.put("MAP_FILE", dir.resolve("no-such.map").toString());
        assertRejected(HaproxyMode.MAP, env, "failed to open pattern file");
    }

    /** haproxy -c cannot see it: a map value naming no backend would send clients to the reject backend. */
    @Test
    void exampleMapNamesBackendsOfMapConfig() throws IOException {
        Set<String> backends = Files.readAllLines(HaproxyMode.MAP.config()).stream()
                .filter(l -> l.startsWith("backend ")).map(l -> l.substring("backend ".length()).strip())
                .collect(Collectors.toSet());
        List<String[]> entries = Files.readAllLines(MAP_EXAMPLE).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.strip().split("\\s+")).toList();
        assertFalse(entries.isEmpty());
        for (String[] entry : entries) {
            assertEquals(2, entry.length, String.join(" ", entry));
            assertTrue(backends.contains(entry[1]), entry[1] + " is not a backend of map.cfg " + backends);
        }
    }

    /** Every variable any of the configs reads, with valid values; the map file is the shipped example. */
    private Map<String, String> validEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("FRONTEND_ADDR", "127.0.0.1:6380");
        env.put("READ_FRONTEND_ADDR", "127.0.0.1:6382");
        env.put("ADMIN_SOCKET", dir.resolve("admin.sock").toString());
        env.put("ADMIN_ADDR", "127.0.0.1:6381");
        env.put("INITIAL_MASTER", "127.0.0.1:6379");
        env.put("REDIS_1", "127.0.0.1:6379");
        env.put("REDIS_2", "127.0.0.1:6389");
        env.put("REDIS_3", "127.0.0.1:6399");
        env.put("MAP_FILE", MAP_EXAMPLE.toAbsolutePath().toString());
        return env;
    }

    private void assertRejected(HaproxyMode mode, Map<String, String> env, String why) throws Exception {
        ManagedProcess check = start(mode, env);
        assertNotEquals(0, check.awaitExit(30), check.logText());
        assertTrue(check.logText().contains(why), check.logText());
    }

    /** Runs haproxy -c and returns its output; fails unless it exits 0. */
    private String check(HaproxyMode mode, Map<String, String> env) throws Exception {
        ManagedProcess check = start(mode, env);
        assertEquals(0, check.awaitExit(30), check.logText());
        return check.logText();
    }

    private ManagedProcess start(HaproxyMode mode, Map<String, String> env) {
        Path log = dir.resolve("haproxy-check-" + (++checks) + ".log");
        return ManagedProcess.start("haproxy -c " + mode, List.of("haproxy", "-c", "-f", mode.config().toString()),
                dir, log, env);
    }
}
