package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyMode;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.STATE_ST;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatePlanTest {

    private static final HostPort NODE1 = new HostPort("127.0.0.1", 6379);
    private static final HostPort NODE2 = new HostPort("127.0.0.1", 6380);
    private static final Trigger TRIGGER = Trigger.reconcile("mymaster");

    private final ModePlan plan = ModePlan.of("mymaster",
            new HaproxyTarget(HaproxyMode.STATE, "st", null, List.of(), null, null, true));
    /** node1 down and in maintenance, node2 running and ready. */
    private final Snapshot snapshot = Snapshot.parse(STATE_ST);

    private static Snapshot st(int op1, int admin1, int op2, int admin2) {
        return Snapshot.parse(serversState(server("st", "node1", "127.0.0.1", 6379, op1, admin1),
                server("st", "node2", "127.0.0.1", 6380, op2, admin2)));
    }

    @Test
    void readsBackItsBackendAndNeedsTheSnapshotToWrite() {
        assertInstanceOf(StatePlan.class, plan);
        assertEquals(List.of("show servers state st"), plan.readBack());
        assertTrue(plan.needsSnapshot());
    }

    @Test
    void inStepWhenOnlyTheMastersServerServesAndRuns() {
        assertTrue(plan.inStep(snapshot, Routing.route(TRIGGER, NODE2)));
        assertFalse(plan.inStep(snapshot, Routing.route(TRIGGER, NODE1)));
    }

    @Test
    void notInStepWhileTheMastersServerIsNotRunningYet() {
        assertFalse(plan.inStep(st(0, 1, 0, 0), Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void notInStepWhileAnotherServerStillServes() {
        assertFalse(plan.inStep(st(2, 0, 2, 0), Routing.route(TRIGGER, NODE2)));
        assertFalse(plan.inStep(st(0, 0, 2, 0), Routing.route(TRIGGER, NODE2)), "serving though its check fails");
    }

    @Test
    void routesByTakingEveryOtherServerOutFirstThenReadyingTheMaster() {
        assertEquals(List.of("set server st/node2 state maint", "shutdown sessions server st/node2",
                        "set server st/node1 state ready", "set server st/node1 health up"),
                plan.commands(snapshot, Routing.route(TRIGGER, NODE1)));
    }

    @Test
    void routesEveryServerOfALargerGroup() {
        Snapshot three = Snapshot.parse(serversState(server("st", "node1", "127.0.0.1", 6379, 2, 0),
                server("st", "node2", "127.0.0.1", 6380, 2, 1), server("st", "node3", "127.0.0.1", 6381, 2, 1),
                server("other", "x", "127.0.0.1", 6390, 2, 0)));
        assertEquals(List.of("set server st/node1 state maint", "shutdown sessions server st/node1",
                        "set server st/node3 state maint", "shutdown sessions server st/node3",
                        "set server st/node2 state ready", "set server st/node2 health up"),
                plan.commands(three, Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void fencedIsInStepOnlyWhenEveryServerIsInMaintenance() {
        Routing fenced = Routing.fence(TRIGGER, NODE2, "test");
        assertFalse(plan.inStep(snapshot, fenced));
        assertTrue(plan.inStep(st(2, 1, 2, 1), fenced));
    }

    @Test
    void fencesByPuttingEveryServerInMaintenance() {
        assertEquals(List.of("set server st/node1 state maint", "shutdown sessions server st/node1",
                        "set server st/node2 state maint", "shutdown sessions server st/node2"),
                plan.commands(snapshot, Routing.fence(TRIGGER, NODE2, "test")));
    }

    @Test
    void aMasterNoServerHasIsAnError() {
        Routing unknown = Routing.route(TRIGGER, new HostPort("127.0.0.1", 6390));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.commands(snapshot, unknown));
        assertEquals("no server of backend st has the master's address 127.0.0.1:6390", e.getMessage());
        assertThrows(IllegalStateException.class, () -> plan.inStep(snapshot, unknown));
    }

    @Test
    void aMissingBackendIsAnError() {
        Snapshot other = Snapshot.parse(serversState(server("other", "node1", "127.0.0.1", 6379, 2, 0)));
        assertThrows(IllegalStateException.class, () -> plan.commands(other, Routing.route(TRIGGER, NODE1)));
    }
}
