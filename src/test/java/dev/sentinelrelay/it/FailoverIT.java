package dev.sentinelrelay.it;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real failovers in addr mode (HAProxy from config/haproxy/addr.cfg), followed through HAProxy, as a client sees
 * them: the mode contract, plus a killed master, a restarted sentinel and a failover while the relay is down.
 */
class FailoverIT extends HaproxyModeContract {

    private static final Duration FOLLOW = Duration.ofSeconds(30);

    @Override
    HaproxyMode mode() {
        return HaproxyMode.ADDR;
    }

    @Test
    @Order(3)
    void killedMasterIsFollowed() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        sandbox.redisProcess(oldMaster).kill();

        int newMaster = sandbox.awaitNewMaster(oldMaster);

        awaitClientsReach(newMaster);
        sandbox.startRedis(oldMaster, newMaster);
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
                .until(() -> sandbox.subscriptionsOf(port) >= 13);
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
