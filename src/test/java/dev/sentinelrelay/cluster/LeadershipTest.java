package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alone and observing: no ZooKeeper. The cluster roles run against real ZooKeeper in ClusterIT. */
class LeadershipTest {

    private static final ClusterConfig CLUSTER = new ClusterConfig("127.0.0.1:2181", null, "prod", "relay-1", Duration.ofSeconds(4));

    @Test
    void aloneAndActingItWritesAndCountsAsLeader() {
        Leadership alone = new Leadership(null, false, null, System::nanoTime);
        assertEquals(Leadership.Role.SINGLE, alone.role());
        assertTrue(alone.mayWrite());
        assertFalse(alone.elects());
        assertTrue(alone.writes());
        assertEquals("single", alone.describe());
        assertEquals(1, alone.leaderGauge());
        assertEquals(Map.of("role", "single", "mode", "act"), withoutNulls(alone.view()));
    }

    @Test
    void observingItNeverWritesNorLeads() {
        for (ClusterConfig cluster : new ClusterConfig[]{null, CLUSTER}) {
            Leadership observer = new Leadership(cluster, true, null, System::nanoTime);
            assertEquals(Leadership.Role.OBSERVE, observer.role());
            assertFalse(observer.mayWrite());
            assertFalse(observer.elects(), "an observing relay never joins the election");
            assertFalse(observer.writes());
            assertEquals(0, observer.leaderGauge());
            assertEquals("observe", observer.view().get("role"));
        }
    }

    @Test
    void theElectionLivesUnderTheClusterName() {
        assertEquals("/sentinel-relay/prod", Leadership.electionRoot(CLUSTER));
    }

    @Test
    void aloneTheWatchAndTheViewNeedNoZooKeeper() {
        Leadership alone = new Leadership(null, false, null, System::nanoTime);
        alone.watch();
        assertNull(alone.view().get("cluster"));
        assertEquals(0, alone.changes());
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> view) {
        view.values().removeIf(v -> v == null);
        return view;
    }
}
