package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyMode;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.MAP;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.map;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapPlanTest {

    private static final HostPort NODE1 = new HostPort("127.0.0.1", 6379);
    private static final HostPort NODE2 = new HostPort("127.0.0.1", 6380);
    private static final Trigger TRIGGER = Trigger.reconcile("mymaster");
    private static final String SERVERS = serversState(
            server("redis_node1", "node1", "127.0.0.1", 6379, 2, 0),
            server("redis_node2", "node2", "127.0.0.1", 6380, 2, 0),
            server("redis_reject", "none", "127.0.0.1", 1, 0, 0),
            server("unrelated", "node9", "127.0.0.1", 6390, 2, 0));

    private final ModePlan plan = ModePlan.of("mymaster", new HaproxyTarget(HaproxyMode.MAP, null, null,
            List.of("redis_node1", "redis_node2"), "/tmp/hx/m.map", "redis_reject", true));
    /** The map points mymaster at redis_node1. */
    private final Snapshot snapshot = Snapshot.parse(SERVERS + MAP);

    @Test
    void readsBackEveryServerAndTheMap() {
        assertInstanceOf(MapPlan.class, plan);
        assertEquals(List.of("show servers state", "show map /tmp/hx/m.map"), plan.readBack());
        assertTrue(plan.needsSnapshot());
    }

    @Test
    void inStepWhenTheEntryNamesTheMastersBackend() {
        assertTrue(plan.inStep(snapshot, Routing.route(TRIGGER, NODE1)));
        assertFalse(plan.inStep(snapshot, Routing.route(TRIGGER, NODE2)));
        assertFalse(plan.inStep(Snapshot.parse(SERVERS + "\n"), Routing.route(TRIGGER, NODE1)), "no entry");
    }

    @Test
    void fencedIsInStepWhenTheEntryNamesTheRejectBackend() {
        Routing fenced = Routing.fence(TRIGGER, NODE1, "test");
        assertFalse(plan.inStep(snapshot, fenced));
        assertTrue(plan.inStep(Snapshot.parse(SERVERS + map("mymaster", "redis_reject")), fenced));
    }

    @Test
    void routesBySettingTheExistingEntryAndCuttingSessionsOfTheOtherBackends() {
        assertEquals(List.of("set map /tmp/hx/m.map mymaster redis_node2", "shutdown sessions server redis_node1/node1"),
                plan.commands(snapshot, Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void addsTheEntryWhenTheMapLacksIt() {
        Snapshot empty = Snapshot.parse(SERVERS + map("cache", "redis_cache1"));
        assertEquals(List.of("add map /tmp/hx/m.map mymaster redis_node2", "shutdown sessions server redis_node1/node1"),
                plan.commands(empty, Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void cutsTheSessionsOfEveryServerOfEveryOtherBackend() {
        Snapshot two = Snapshot.parse(serversState(server("redis_node1", "node1", "127.0.0.1", 6379, 2, 0),
                server("redis_node1", "node1b", "127.0.0.1", 6389, 2, 0),
                server("redis_node2", "node2", "127.0.0.1", 6380, 2, 0)) + MAP);
        assertEquals(List.of("set map /tmp/hx/m.map mymaster redis_node2", "shutdown sessions server redis_node1/node1",
                        "shutdown sessions server redis_node1/node1b"),
                plan.commands(two, Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void fencesByPointingTheEntryAtTheRejectBackendAndCuttingEveryNodesSessions() {
        assertEquals(List.of("set map /tmp/hx/m.map mymaster redis_reject", "shutdown sessions server redis_node1/node1",
                        "shutdown sessions server redis_node2/node2"),
                plan.commands(snapshot, Routing.fence(TRIGGER, NODE1, "test")));
    }

    @Test
    void onlyTheConfiguredBackendsAreCandidates() {
        Routing unknown = Routing.route(TRIGGER, new HostPort("127.0.0.1", 6390)); // only in 'unrelated'
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.commands(snapshot, unknown));
        assertEquals("none of the backends [redis_node1, redis_node2] has a server at the master's address 127.0.0.1:6390",
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> plan.inStep(snapshot, unknown));
    }
}
