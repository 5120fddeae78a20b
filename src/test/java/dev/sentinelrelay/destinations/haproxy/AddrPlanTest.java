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

class AddrPlanTest {

    private static final HostPort NODE1 = new HostPort("127.0.0.1", 6379);
    private static final HostPort NODE2 = new HostPort("127.0.0.2", 6380);
    private static final Trigger TRIGGER = Trigger.reconcile("mymaster");

    private final ModePlan plan = ModePlan.of("mymaster",
            new HaproxyTarget(HaproxyMode.ADDR, "st", "node1", List.of(), null, null, true));

    private static Snapshot node1(String addr, int port, int opState, int adminState) {
        return Snapshot.parse(serversState(server("st", "node1", addr, port, opState, adminState)));
    }

    @Test
    void readsBackItsBackendAndNeedsNoSnapshotToWrite() {
        assertInstanceOf(AddrPlan.class, plan);
        assertEquals(List.of("show servers state st"), plan.readBack());
        assertFalse(plan.needsSnapshot());
    }

    @Test
    void inStepWhenTheEntryServesAtTheMastersAddress() {
        assertTrue(plan.inStep(node1("127.0.0.1", 6379, 2, 0), Routing.route(TRIGGER, NODE1)));
        assertTrue(plan.inStep(node1("127.0.0.1", 6379, 0, 0), Routing.route(TRIGGER, NODE1)), "health is not the relay's");
    }

    @Test
    void notInStepAtAnotherAddressOrPortOrInMaintenance() {
        assertFalse(plan.inStep(node1("127.0.0.2", 6379, 2, 0), Routing.route(TRIGGER, NODE1)));
        assertFalse(plan.inStep(node1("127.0.0.1", 6380, 2, 0), Routing.route(TRIGGER, NODE1)));
        assertFalse(plan.inStep(Snapshot.parse(STATE_ST), Routing.route(TRIGGER, NODE1)), "node1 is in maintenance");
    }

    @Test
    void fencedIsInStepOnlyWhileTheEntryIsInMaintenance() {
        Routing fenced = Routing.fence(TRIGGER, NODE1, "test");
        assertTrue(plan.inStep(Snapshot.parse(STATE_ST), fenced));
        assertFalse(plan.inStep(node1("127.0.0.1", 6379, 2, 0), fenced));
    }

    @Test
    void aMissingEntryIsAnError() {
        Snapshot other = Snapshot.parse(serversState(server("st", "node2", "127.0.0.1", 6379, 2, 0)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> plan.inStep(other, Routing.route(TRIGGER, NODE1)));
        assertEquals("HAProxy has no server st/node1", e.getMessage());
    }

    @Test
    void routesByPointingTheEntryAtTheMasterAndCuttingItsSessions() {
        assertEquals(List.of("set server st/node1 addr 127.0.0.2 port 6380", "set server st/node1 state ready",
                        "shutdown sessions server st/node1"),
                plan.commands(null, Routing.route(TRIGGER, NODE2)));
    }

    @Test
    void fencesByPuttingTheEntryInMaintenanceAndCuttingItsSessions() {
        assertEquals(List.of("set server st/node1 state maint", "shutdown sessions server st/node1"),
                plan.commands(null, Routing.fence(TRIGGER, NODE1, "test")));
    }
}
