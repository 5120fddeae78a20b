package dev.sentinelrelay.configuration;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.tls.TestCertificates;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS keys: every file read at start-up, a bad one refused with its key named. */
class TlsConfigTest {

    private final TestCertificates certs = TestCertificates.shared();
    private final Path dir = certs.dir;

    private Map<String, String> mutualTls() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.sentinel.tls", "true");
        p.put("relay.tls.ca-file", certs.ca.cert().toString());
        p.put("relay.tls.cert-file", certs.client.cert().toString());
        p.put("relay.tls.key-file", certs.client.key().toString());
        return p;
    }

    @Test
    void offByDefault() {
        TlsConfig tls = RelayConfig.from(RelayConfigTest.valid()::get).tls();
        assertNull(tls.forSentinels());
        assertNull(tls.forRedis());
        assertEquals("off", tls.toString());
        assertTrue(tls.verifyHostname());
        assertNull(tls.tls(), "no context while neither side uses TLS");
    }

    @Test
    void sentinelsAndRedisAreIndependent() {
        TlsConfig tls = RelayConfig.from(mutualTls()::get).tls();
        assertNotNull(tls.forSentinels());
        assertNull(tls.forRedis());
        assertEquals("sentinels (CA " + certs.ca.cert() + ", client certificate " + certs.client.cert()
                + ", hostname verified)", tls.toString());
        Map<String, String> p = mutualTls();
        p.put("relay.sentinel.tls", "false");
        p.put("relay.redis.tls", "true");
        p.put("relay.tls.verify-hostname", "false");
        tls = RelayConfig.from(p::get).tls();
        assertNull(tls.forSentinels());
        assertFalse(tls.forRedis().verifyHostname());
    }

    @Test
    void everyFileIsCheckedAndNamedByItsKey() {
        Map<String, String> p = mutualTls();
        p.put("relay.tls.ca-file", dir.resolve("missing.pem").toString());
        assertTrue(RelayConfigTest.error(p).startsWith("relay.tls.ca-file: " + dir.resolve("missing.pem") + " is not readable"), RelayConfigTest.error(p));
        p = mutualTls();
        p.put("relay.tls.cert-file", certs.client.key().toString());
        assertTrue(RelayConfigTest.error(p).startsWith("relay.tls.cert-file: ") && RelayConfigTest.error(p).contains("holds no PEM certificate"), RelayConfigTest.error(p));
        p = mutualTls();
        p.put("relay.tls.key-file", certs.client.cert().toString());
        assertTrue(RelayConfigTest.error(p).startsWith("relay.tls.key-file: ") && RelayConfigTest.error(p).contains("found 0"), RelayConfigTest.error(p));
        p = mutualTls();
        p.put("relay.tls.key-file", certs.server.key().toString());
        assertTrue(RelayConfigTest.error(p).startsWith("relay.tls.key-file: is not the private key of the certificate CN=client"), RelayConfigTest.error(p));
        p = mutualTls();
        p.put("relay.tls.cert-file", certs.expired.cert().toString());
        p.put("relay.tls.key-file", certs.expired.key().toString());
        assertTrue(RelayConfigTest.error(p).startsWith("relay.tls.cert-file: ") && RelayConfigTest.error(p).contains("is not valid now"), RelayConfigTest.error(p));
    }

    @Test
    void aClientCertificateNeedsItsKeyAndTheOtherWayRound() {
        Map<String, String> p = mutualTls();
        p.remove("relay.tls.key-file");
        assertEquals("relay.tls.key-file: is required when relay.tls.cert-file is set", RelayConfigTest.error(p));
        p = mutualTls();
        p.remove("relay.tls.cert-file");
        assertEquals("relay.tls.cert-file: is required when relay.tls.key-file is set", RelayConfigTest.error(p));
    }

    @Test
    void onlyTrueOrFalse() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.redis.tls", "yes");
        assertEquals("relay.redis.tls: 'yes' is not true or false", RelayConfigTest.error(p));
    }

    @Test
    void consulFilesNeedHttpsAndAreChecked() {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.consul.url", "http://127.0.0.1:8500");
        p.put("relay.consul.ca-file", certs.ca.cert().toString());
        assertEquals("relay.consul.ca-file: is set but relay.consul.url is not an https:// URL", RelayConfigTest.error(p));
        p.put("relay.consul.url", "https://127.0.0.1:8501");
        assertNotNull(RelayConfig.from(p::get).consul().tls().context());
        p.put("relay.consul.cert-file", certs.client.cert().toString());
        assertEquals("relay.consul.key-file: is required when relay.consul.cert-file is set", RelayConfigTest.error(p));
    }

    /** /api/configuration serializes the configuration: the files it names, never a key or a context. */
    @Test
    void theConfigurationShowsTheFilesNeverTheKeys() throws Exception {
        Map<String, String> p = mutualTls();
        p.put("relay.consul.url", "https://127.0.0.1:8501");
        p.put("relay.consul.cert-file", certs.client.cert().toString());
        p.put("relay.consul.key-file", certs.client.key().toString());
        RelayConfig config = RelayConfig.from(p::get);
        ObjectMapper mapper = new ObjectMapper();
        String tls = mapper.writeValueAsString(config.tls());
        assertEquals("{\"sentinels\":true,\"redis\":false,\"verifyHostname\":true,\"files\":\"CA " + certs.ca.cert()
                + ", client certificate " + certs.client.cert() + "\"}", tls);
        assertEquals("\"CA JDK trust store, client certificate " + certs.client.cert() + "\"",
                mapper.writeValueAsString(config.consul().tls()));
    }
}
