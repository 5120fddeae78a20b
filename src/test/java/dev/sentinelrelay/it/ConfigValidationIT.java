package dev.sentinelrelay.it;

import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.tls.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runnable jar refuses an invalid configuration: exit code 2 and one line that names the key. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigValidationIT {

    private Path dir;

    @BeforeAll
    void createDir() throws IOException {
        dir = Files.createTempDirectory("sentinel-relay-config-it-");
    }

    @AfterAll
    void deleteDir() {
        Sandbox.keepLogsAndDelete(dir);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "relay.sentinels|NULL",
            "relay.sentinels|127.0.0.1:99999",
            "relay.sentinels|just-a-host",
            "relay.masters|NULL",
            "relay.masters|bad name!",
            "relay.haproxy.endpoints|NULL",
            "relay.haproxy.endpoints|http://127.0.0.1:9999",
            "relay.haproxy.mymaster.backend|NULL",
            "relay.haproxy.mymaster.server|a;b",
            "relay.reconcile.interval|soon",
            "relay.verify.timeout|-5ms",
            "relay.api.port|0",
            "relay.api.host|no host",
            "relay.sentinel.username|admin",
            "relay.redis.username|app",
            "relay.data.dir|/proc/sentinel-relay/data",
            "relay.haproxy.mymaster.mode|nat",
            "relay.fence.timeout|forever",
            "relay.sentinels.forget-after|10 minutes",
            "relay.sentinels.discover|on",
            "relay.api.token|too-short",
            "relay.log.format|xml",
            "relay.routes.reload|yes",
    })
    void invalidValueExitsWithCode2NamingTheKey(String key, String value) throws Exception {
        Map<String, String> props = RelayConfigTest.valid();
        if (value == null) {
            props.remove(key);
        } else {
            props.put(key, value);
        }
        String expectedKey = key.endsWith(".username") ? key.replace(".username", ".password") : key;
        assertRefused(write(props), expectedKey);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "relay.alerts.ops.type|pager",
            "relay.alerts.ops.url|hooks.example.com/secret-path",
            "relay.alerts.ops.attempts|0",
            "relay.alerts.templates|/nonexistent/templates",
    })
    void invalidAlertChannelExitsWithCode2NamingTheKeyAndNotTheUrl(String key, String value) throws Exception {
        Map<String, String> props = RelayConfigTest.valid();
        props.put("relay.alerts.channels", "ops");
        props.put("relay.alerts.ops.type", "slack");
        props.put("relay.alerts.ops.url", "https://hooks.example.com/services/secret-path");
        props.put(key, value);
        assertRefused(write(props), key);
    }

    /** Each TLS file is read at start-up: missing, not PEM, or a key that is not the certificate's. */
    @Test
    void invalidTlsFileExitsWithCode2NamingTheKey() throws Exception {
        try (TestCertificates certs = TestCertificates.inTempDir()) {
            Map<String, String> props = RelayConfigTest.valid();
            props.put("relay.sentinel.tls", "true");
            props.put("relay.tls.ca-file", dir.resolve("no-such-ca.crt").toString());
            assertRefused(write(props), "relay.tls.ca-file");
            props.put("relay.tls.ca-file", certs.ca.cert().toString());
            props.put("relay.tls.cert-file", certs.client.key().toString());
            props.put("relay.tls.key-file", certs.client.key().toString());
            assertRefused(write(props), "relay.tls.cert-file");
            props.put("relay.tls.cert-file", certs.client.cert().toString());
            props.put("relay.tls.key-file", certs.server.key().toString());
            assertRefused(write(props), "relay.tls.key-file");
            props.put("relay.consul.url", "https://127.0.0.1:8501");
            props.put("relay.tls.key-file", certs.client.key().toString());
            props.put("relay.consul.ca-file", certs.client.key().toString());
            assertRefused(write(props), "relay.consul.ca-file");
        }
    }

    @Test
    void missingFileExitsWithCode2NamingTheFile() throws Exception {
        assertRefused(dir.resolve("does-not-exist.properties"), dir.resolve("does-not-exist.properties").toString());
    }

    @Test
    void environmentVariablesOverrideTheFileAndAreValidatedToo() throws Exception {
        ManagedProcess relay = launch(write(RelayConfigTest.valid()), Map.of("RELAY_RECONCILE_INTERVAL", "never"));
        assertEquals(2, relay.awaitExit(60), relay.logText());
        assertTrue(relay.logText().contains("relay.reconcile.interval: 'never'"), relay.logText());
    }

    private void assertRefused(Path config, String key) throws Exception {
        ManagedProcess relay = launch(config, Map.of());
        assertEquals(2, relay.awaitExit(60), relay.logText());
        List<String> lines = relay.logText().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one line: " + lines);
        assertTrue(lines.get(0).startsWith("sentinel-relay: configuration error: " + key + ": "), lines.get(0));
        assertFalse(lines.get(0).contains("secret-path"), "a webhook URL is never printed: " + lines.get(0));
    }

    private ManagedProcess launch(Path config, Map<String, String> env) {
        return Relay.start(config, dir.resolve("relay-" + System.nanoTime() + ".log"), env);
    }

    private Path write(Map<String, String> props) throws IOException {
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Path file = dir.resolve("relay-" + System.nanoTime() + ".properties");
        Files.writeString(file, text.toString());
        return file;
    }
}
