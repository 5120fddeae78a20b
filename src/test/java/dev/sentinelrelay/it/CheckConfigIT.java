package dev.sentinelrelay.it;

import dev.sentinelrelay.configuration.RelayConfigTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/relay check-config DIR}: exit 0 or 2 with one line, and no connection to anything configured. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckConfigIT {

    private Path dir;

    @BeforeAll
    void createDir() throws IOException {
        dir = Files.createTempDirectory("sentinel-relay-check-it-");
    }

    @AfterAll
    void deleteDir() {
        Sandbox.keepLogsAndDelete(dir);
    }

    private ManagedProcess checkConfig(Path configDir) {
        return ManagedProcess.start("check-config", List.of(Sandbox.HOME.resolve("bin/relay").toString(), "check-config",
                        configDir.toString()), Sandbox.HOME, dir.resolve("check-" + System.nanoTime() + ".log"),
                Map.of("RELAY_JAR", Relay.JAR.toAbsolutePath().toString()));
    }

    private Path configDir(Map<String, String> props) throws IOException {
        Path config = Files.createDirectories(dir.resolve("config-" + System.nanoTime()));
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(config.resolve("application.properties"), text.toString());
        return config;
    }

    private static List<String> lines(ManagedProcess p) {
        return p.logText().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void theShippedConfigurationIsValid() throws Exception {
        ManagedProcess check = checkConfig(Sandbox.HOME.resolve("config"));
        assertEquals(0, check.awaitExit(60), check.logText());
        assertTrue(lines(check).get(0).startsWith("sentinel-relay: configuration ok: "), check.logText());
    }

    @Test
    void aValidConfigurationIsAcceptedWithoutConnectingAnywhere() throws Exception {
        try (ServerSocketChannel sentinel = ServerSocketChannel.open();
             ServerSocketChannel haproxy = ServerSocketChannel.open()) {
            sentinel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            haproxy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Map<String, String> props = RelayConfigTest.valid();
            props.put("relay.sentinels", "127.0.0.1:" + sentinel.socket().getLocalPort());
            props.put("relay.haproxy.endpoints", "tcp:127.0.0.1:" + haproxy.socket().getLocalPort());
            props.put("relay.redis.password", "check-config-secret");
            props.put("relay.log.format", "json");
            props.put("relay.data.dir", dir.resolve("never-created").toString());

            ManagedProcess check = checkConfig(configDir(props));

            assertEquals(0, check.awaitExit(60), check.logText());
            assertEquals(1, lines(check).size(), check.logText());
            assertTrue(lines(check).get(0).startsWith("sentinel-relay: configuration ok: "), check.logText());
            assertFalse(check.logText().contains("check-config-secret"));
            sentinel.configureBlocking(false);
            haproxy.configureBlocking(false);
            assertNull(sentinel.accept(), "check-config connected to the sentinel");
            assertNull(haproxy.accept(), "check-config connected to HAProxy");
            assertFalse(Files.exists(dir.resolve("never-created")), "check-config created relay.data.dir");
        }
    }

    @Test
    void anInvalidConfigurationExitsWithCode2AndOneLineNamingTheKey() throws Exception {
        Map<String, String> props = RelayConfigTest.valid();
        props.put("relay.log.format", "xml");
        ManagedProcess check = checkConfig(configDir(props));
        assertEquals(2, check.awaitExit(60), check.logText());
        assertEquals(List.of("sentinel-relay: configuration error: relay.log.format: 'xml' is not one of text, json"),
                lines(check));
    }

    @Test
    void aMissingDirectoryExitsWithCode2() throws Exception {
        ManagedProcess check = checkConfig(dir.resolve("no-such-dir"));
        assertEquals(2, check.awaitExit(60), check.logText());
        assertEquals(1, lines(check).size(), check.logText());
    }
}
