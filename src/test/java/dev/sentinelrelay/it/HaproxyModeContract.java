package dev.sentinelrelay.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every HAProxy mode must do, with HAProxy started from the mode's shipped config: a failover moves new
 * connections to the verified master and cuts the sessions left on the old one, and a returning old master is
 * never routed. The same over TLS (see {@link #tls()}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class HaproxyModeContract extends SandboxIT {

    abstract HaproxyMode mode();

    /** True: every server and sentinel on TLS only, with client certificates ({@link Sandbox#startTls}). */
    boolean tls() {
        return false;
    }

    @BeforeAll
    void start() throws Exception {
        sandbox = tls() ? Sandbox.startTls(mode()) : Sandbox.start(null, mode());
        relay = Relay.start(sandbox, Map.of());
    }

    @Test
    @Order(1)
    void failoverMovesNewConnectionsAndCutsOldSessions() throws Exception {
        int oldMaster = sandbox.sentinelMasterPort();
        assertEquals(oldMaster, sandbox.portBehindFrontend(), "before the failover HAProxy leads to the master");
        try (Jedis before = sandbox.clientThroughFrontend()) {
            before.set("before", "1");

            int newMaster = sandbox.failover();

            assertNotEquals(oldMaster, newMaster);
            sandbox.awaitClientsReach(newMaster);
            assertEquals(newMaster, sandbox.haproxyServerPort(), "HAProxy's own state names the new master");
            assertThrows(JedisConnectionException.class, () -> before.set("after", "1"),
                    "the session opened before the failover must have been shut down");
        }
        assertTrue(relay.count("haproxy updated: mymaster") >= 1, relay.tail());
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(2)
    void returningOldMasterIsNeverRouted() throws Exception {
        killMasterAndAssertItIsNeverRoutedWhenItReturns();
    }
}
