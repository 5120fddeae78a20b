package dev.sentinelrelay.it;

import dev.sentinelrelay.tls.PemTls;
import dev.sentinelrelay.tls.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Consul branch end to end against the in-process Consul double: real sentinel failovers move the catalog's
 * answer; a Consul outage during a failover is dead-lettered and fixed by reconciliation; a wrong token is
 * logged clearly and dead-lettered while HAProxy still follows. Each test starts the relay it needs (the right or
 * a wrong token) on a settled sandbox with Consul up, so each passes alone and in any order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsulIT extends SandboxIT {

    private static final String TOKEN = "3f9a1c2e-relay-token";
    private static final String SERVICE = "redis-mymaster";
    private static final String KV_KEY = "redis/mymaster/master";
    private static final Duration FOLLOW = Duration.ofSeconds(30);
    private ConsulDouble consul;

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        consul = ConsulDouble.start(TOKEN);
        relayWith(consulSettings(TOKEN));
    }

    private Map<String, String> consulSettings(String token) {
        return Map.of("relay.consul.url", consul.url(), "relay.consul.token", token,
                "relay.consul.mymaster.kv-key", KV_KEY, "relay.reconcile.interval", "2s");
    }

    /** Consul up, a ready relay with this token, clients on the master; its log marked. */
    private void knownState(String token) throws IOException {
        consul.start();
        relayWith(consulSettings(token));
        sandbox.awaitClientsReach(sandbox.sentinelMasterPort());
        relay.markLog();
    }

    @AfterAll
    void stopConsul() {
        consul.close();
    }

    @Test
    @Order(1)
    void aFailoverMovesTheCatalogToTheNewMaster() throws IOException {
        knownState(TOKEN);
        int oldMaster = sandbox.sentinelMasterPort();
        await("start-up registered the master").atMost(FOLLOW).until(() -> catalogPort() == oldMaster);

        int newMaster = sandbox.failover();

        sandbox.awaitClientsReach(newMaster);
        await("the catalog and the KV key answer the new master").atMost(FOLLOW)
                .until(() -> catalogPort() == newMaster && ("127.0.0.1:" + newMaster).equals(consul.kv(KV_KEY)));
        assertTrue(relay.count("consul updated: mymaster") >= 1, relay.tail());
        assertFalse(relay.log().contains(TOKEN), "the token is never logged");
        assertTrue(consul.requests().stream().anyMatch(r -> r.startsWith("GET /v1/catalog/service/" + SERVICE)),
                "reconcile reads the service back: " + consul.requests());
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(2)
    void anEditedServiceIsPutBackByReconciliation() throws IOException {
        knownState(TOKEN);
        int master = sandbox.sentinelMasterPort();
        // a failover just before (another test's) still sends late events (+failover-end), each rewriting the catalog
        // without reading it back: the edit must be put back by a reconcile, so wait until they are over
        long[] updates = {-1};
        await("no Consul update for 3 s").during(Duration.ofSeconds(3)).atMost(FOLLOW).until(() -> {
            long now = relay.count("consul updated");
            boolean quiet = now == updates[0];
            updates[0] = now;
            return quiet;
        });
        consul.editServicePort(SERVICE, SERVICE, 1);
        await("reconciliation fixed the drift").atMost(FOLLOW).until(() -> catalogPort() == master);
        assertTrue(relay.count("consul drifted") >= 1, relay.tail());
    }

    @Test
    @Order(3)
    void consulDownDuringAFailoverIsDeadLetteredThenFixedByReconciliation() throws Exception {
        knownState(TOKEN);
        consul.stop();
        try {
            consulDownDuringAFailover();
        } finally {
            consul.start(); // whatever failed above, the next test needs Consul back
        }
    }

    private void consulDownDuringAFailover() throws Exception {
        int newMaster = sandbox.failover();

        // HAProxy does not wait for Consul's retries
        sandbox.awaitClientsReach(newMaster);
        String wanted = "\"wanted\":\"127.0.0.1:" + newMaster + "\"";
        await("the new master's registration dead-lettered").atMost(FOLLOW)
                .until(() -> Files.exists(deadLetterFile()) && Files.readString(deadLetterFile()).contains(wanted));
        String deadLetter = Files.readString(deadLetterFile()).lines().filter(l -> l.contains(wanted)).findFirst().orElseThrow();
        assertTrue(deadLetter.contains("\"destination\":\"consul (" + consul.url() + ")\"")
                && deadLetter.contains("\"service\":\"" + SERVICE + "\"") && deadLetter.contains("Connection refused"), deadLetter);
        assertTrue(relay.count("consul update failed after retries") >= 1, relay.tail());

        consul.start();
        // the KV write is the step after the registration: wait for both
        await("reconciliation registered the new master").atMost(FOLLOW)
                .until(() -> catalogPort() == newMaster && ("127.0.0.1:" + newMaster).equals(consul.kv(KV_KEY)));
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(4)
    void aWrongTokenIsAClearErrorAndHaproxyStillFollows() throws Exception {
        knownState("wrong-token-value");
        long before = relay.count("consul update failed after retries");

        int newMaster = sandbox.failover();

        sandbox.awaitClientsReach(newMaster);
        assertEquals(newMaster, sandbox.haproxyServerPort());
        await("the refusal is logged").atMost(FOLLOW).until(() -> relay.count("consul update failed after retries") > before);
        String error = relay.linesSinceMark().stream().filter(l -> l.contains("consul update failed after retries")).reduce((a, b) -> b).orElseThrow();
        assertTrue(error.contains("403") && error.contains("relay.consul.token"), error);
        assertFalse(relay.log().contains("wrong-token-value"), "the token is never logged");
        assertTrue(Files.readString(deadLetterFile()).contains("403"));
        assertTrue(relay.process.alive(), "the relay keeps running");
        assertTrue(catalogPort() != newMaster, "Consul refused every write");
        sandbox.awaitSentinelsSettled();
    }

    /** An https:// Consul whose certificate is signed by relay.consul.ca-file: the catalog follows a failover. */
    @Test
    @Order(5)
    void anHttpsConsulIsReachedWithItsCa() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        ConsulDouble https = ConsulDouble.start(TOKEN, PemTls.context(null, PemTls.certificates(certs.server.cert()),
                PemTls.privateKey(certs.server.key())));
        try {
            relayWith(Map.of("relay.consul.url", https.url(), "relay.consul.token", TOKEN,
                    "relay.consul.ca-file", certs.ca.cert().toString(), "relay.reconcile.interval", "2s"));
            int oldMaster = sandbox.sentinelMasterPort();
            await("start-up registered the master over https").atMost(FOLLOW)
                    .until(() -> https.servicePort(SERVICE, SERVICE) == oldMaster);

            int newMaster = sandbox.failover();

            sandbox.awaitClientsReach(newMaster);
            await("the https catalog answers the new master").atMost(FOLLOW)
                    .until(() -> https.servicePort(SERVICE, SERVICE) == newMaster);
            sandbox.awaitSentinelsSettled();
        } finally {
            https.close();
        }
    }

    private int catalogPort() {
        return consul.servicePort(SERVICE, SERVICE);
    }

    private Path deadLetterFile() throws Exception {
        return relay.dataDir().resolve("dead-letters.jsonl");
    }
}
