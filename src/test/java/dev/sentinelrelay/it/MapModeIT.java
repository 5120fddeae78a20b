package dev.sentinelrelay.it;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** map mode, HAProxy from config/haproxy/map.cfg: one backend per node, picked by a map entry the relay sets. */
class MapModeIT extends HaproxyModeContract {

    @Override
    HaproxyMode mode() {
        return HaproxyMode.MAP;
    }

    /**
     * The relay keeps the map file in step, so an HAProxy restarted from its config after a failover routes to
     * the new master on its own: the relay is stopped first, so it cannot be what fixed the restarted HAProxy.
     */
    @Test
    @Order(3)
    void haproxyRestartedFromItsFilesKeepsTheNewMaster() throws Exception {
        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster);
        relay.close();

        sandbox.stopHaproxy(1);
        sandbox.startHaproxy(1);

        assertTrue(Files.readString(sandbox.mapFile(1)).contains("mymaster " + sandbox.nodeBackend(newMaster)),
                "the map file names the new master's backend");
        assertEquals(newMaster, sandbox.portBehindFrontend(), "the restarted HAProxy routes to the new master");
        relay = Relay.start(sandbox, Map.of());
        sandbox.awaitSentinelsSettled();
    }
}
