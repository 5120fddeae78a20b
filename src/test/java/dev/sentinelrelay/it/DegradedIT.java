package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A dead HAProxy endpoint or lost sentinels: the relay keeps doing what it still can and says it is not ready. */
class DegradedIT extends SandboxIT {

    private static final Duration WAIT = Duration.ofSeconds(45);


    @BeforeAll
    void start() throws IOException {
        sandbox = Sandbox.start();
    }

    @AfterEach
    void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aDeadHaproxyEndpointNeitherBlocksTheOtherNorPassesForReady() throws IOException {
        int closedPort = Sandbox.freePort();
        int apiPort = Sandbox.freePort();
        relay = Relay.launch(sandbox.writeRelayConfig(apiPort, Map.of(
                        "relay.haproxy.endpoints", "unix:" + sandbox.adminSocket + ",tcp:127.0.0.1:" + closedPort,
                        "relay.haproxy.timeout", "200ms")),
                apiPort, sandbox.dir.resolve("relay-dead-endpoint.log"));
        await("the dead endpoint fails after its retries").atMost(WAIT)
                .until(() -> relay.count("haproxy update failed after retries: haproxy-2") >= 1);

        int newMaster = sandbox.failover();

        sandbox.awaitClientsReach(newMaster); // through the live endpoint
        assertEquals(503, relay.readyStatus(), "not ready while an endpoint is not in step");
        sandbox.awaitSentinelsSettled();
    }

    @Test
    void losingTheSentinelMajorityMakesTheRelayNotReadyUntilItIsBack() throws IOException {
        relay = Relay.start(sandbox, Map.of("relay.reconcile.interval", "1s"));
        int first = sandbox.sentinelPorts.get(0);
        int second = sandbox.sentinelPorts.get(1);

        sandbox.stopSentinel(first);
        sandbox.stopSentinel(second);
        await("not ready without a sentinel majority").atMost(WAIT).until(() -> relay.readyStatus() == 503);
        assertEquals(sandbox.sentinelMasterPortOf(sandbox.sentinelPorts.get(2)), sandbox.haproxyServerPort(),
                "HAProxy keeps the last verified master");

        sandbox.startSentinel(first);
        sandbox.startSentinel(second);
        await("ready again").atMost(WAIT).until(() -> relay.readyStatus() == 200);
        sandbox.awaitSentinelsSettled();
    }
}
