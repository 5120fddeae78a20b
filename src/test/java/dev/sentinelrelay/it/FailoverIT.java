package dev.sentinelrelay.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real failovers, followed through HAProxy, as a client sees them. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT extends SandboxIT {

    private static final Duration FOLLOW = Duration.ofSeconds(30);


    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        relay = Relay.start(sandbox, Map.of("relay.reconcile.interval", "10s"));
    }

    @Test
    @Order(1)
    void sentinelFailoverMovesNewConnectionsAndCutsOldSessions() throws IOException {
        int oldMaster = sandbox.sentinelMasterPort();
        assertEquals(oldMaster, sandbox.portBehindFrontend(), "before the failover HAProxy leads to the master");
        try (Jedis before = sandbox.clientThroughFrontend()) {
            before.set("before", "1");

            int newMaster = sandbox.failover();

            assertNotEquals(oldMaster, newMaster);
            awaitClientsReach(newMaster);
            assertThrows(JedisConnectionException.class, () -> before.set("after", "1"),
                    "the session opened before the failover must have been shut down");
        }
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(2)
    void killedMasterIsFollowed() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();

        int newMaster = sandbox.awaitNewMaster(oldMaster);

        awaitClientsReach(newMaster);
        sandbox.startRedis(oldMaster, newMaster);
        sandbox.awaitSentinelsSettled();
    }

    /**
     * The killed master comes back believing it is still master (its data says so until Sentinel reconfigures
     * it). For that whole window no client connection through HAProxy may reach it.
     */
    @Test
    @Order(3)
    void returningOldMasterIsNeverRouted() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        awaitClientsReach(newMaster);

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

    @Test
    @Order(4)
    void sentinelRestartIsResubscribedAndReconciled() throws IOException {
        int port = sandbox.sentinelPorts.get(0);
        long before = relay.count("resubscribed; reconciling");
        sandbox.stopSentinel(port);
        sandbox.startSentinel(port);

        await("relay resubscribed").atMost(FOLLOW).until(() -> relay.count("resubscribed; reconciling") > before);
        await("relay subscribed on the restarted sentinel").atMost(FOLLOW).ignoreExceptions()
                .until(() -> sandbox.subscriptionsOf(port) >= 9);
        sandbox.awaitSentinelsSettled();
        int newMaster = sandbox.failover();
        awaitClientsReach(newMaster);
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(5)
    void failoverWhileRelayIsDownIsFixedAtStartUp() throws Exception {
        relay.close();
        int oldMaster = sandbox.sentinelMasterPort();
        int newMaster = sandbox.failover();
        assertEquals(oldMaster, sandbox.haproxyServerPort(), "with the relay down HAProxy still holds the old master");

        relay = Relay.start(sandbox, Map.of("relay.reconcile.interval", "1h")); // only the start-up reconcile can fix it

        assertEquals(newMaster, sandbox.haproxyServerPort(), "ready only after the start-up reconcile fixed HAProxy");
        awaitClientsReach(newMaster);
        sandbox.awaitSentinelsSettled();
    }

    /** Clients reach {@code master} through HAProxy, and the relay is what moved HAProxy there. */
    private void awaitClientsReach(int master) throws IOException {
        sandbox.awaitClientsReach(master);
        assertTrue(relay.count("haproxy updated: mymaster") >= 1, relay.tail());
        assertEquals(master, sandbox.haproxyServerPort());
    }
}
