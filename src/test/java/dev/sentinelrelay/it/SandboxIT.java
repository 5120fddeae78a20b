package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Base of the integration tests: one sandbox and at most one relay per test class, stopped by PID at the end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SandboxIT {

    protected Sandbox sandbox;
    protected Relay relay;
    /** The configuration overrides the running relay was started with by {@link #relayWith}. */
    private Map<String, String> relayOverrides;

    /**
     * A ready relay started with these overrides: the running one if it was, else a new one (the other one stopped).
     * A class whose tests need differently configured relays calls it at the start of each, so each passes alone
     * and in any order.
     */
    protected void relayWith(Map<String, String> overrides) throws IOException {
        if (relay != null && relay.process.alive() && overrides.equals(relayOverrides)) {
            return;
        }
        if (relay != null) {
            relay.close();
        }
        relay = Relay.start(sandbox, overrides);
        relayOverrides = Map.copyOf(overrides);
    }

    /**
     * Kills the master; once clients reach the new one, restarts the old one as a master (its data says so until
     * Sentinel reconfigures it). For that whole window no new client connection through HAProxy may reach it.
     */
    protected void killMasterAndAssertItIsNeverRoutedWhenItReturns() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        sandbox.awaitClientsReach(newMaster);

        sandbox.startRedis(oldMaster, null); // no --replicaof: it starts as a master
        boolean claimedMaster = false;
        long sawReplicaAt = 0;
        int probes = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // probe until Sentinel has turned it into a replica, and two more seconds after that
        while (System.nanoTime() < deadline && (sawReplicaAt == 0 || System.nanoTime() - sawReplicaAt < 2_000_000_000L)) {
            String role = sandbox.role(oldMaster);
            claimedMaster |= role.equals("master");
            if (sawReplicaAt == 0 && role.equals("slave")) {
                sawReplicaAt = System.nanoTime();
            }
            assertNotEquals(oldMaster, sandbox.portBehindFrontend(), "HAProxy routed a client to the returning old master");
            probes++;
        }
        assertTrue(claimedMaster, "the old master never claimed to be master, so the test proved nothing");
        assertTrue(sawReplicaAt != 0, "Sentinel never reconfigured the old master within 60 s");
        assertTrue(probes > 10, "too few probes: " + probes);
        sandbox.awaitSentinelsSettled();
    }

    /**
     * Each test starts from a known sandbox: every Redis server and sentinel an earlier test stopped or killed is
     * running again and the sentinels are settled. And log assertions count only lines written since the test
     * began (a relay started during the test: all of its lines).
     */
    @BeforeEach
    void knownSandboxAndMarkedLog() {
        if (sandbox != null) {
            sandbox.restartStoppedAndSettle();
        }
        if (relay != null) {
            relay.markLog();
        }
    }

    @AfterAll
    void stopRelayAndSandbox() {
        if (relay != null) {
            relay.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
