package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;
import dev.sentinelrelay.destinations.haproxy.ServerState;
import dev.sentinelrelay.destinations.haproxy.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReadPoolPlanTest {

    private static final int READY = 0;
    private static final int MAINT = 1;
    private static final int DRAIN = 8;
    private static final HostPort N1 = new HostPort("127.0.0.1", 7001);
    private static final HostPort N2 = new HostPort("127.0.0.1", 7002);
    private static final HostPort N3 = new HostPort("127.0.0.1", 7003);

    private static ReadPool pool(boolean drain, PoolMember... members) {
        return new ReadPool("m", new ReadPoolTarget("rd", 0, true, drain), List.of(members));
    }

    private static PoolMember in(HostPort a) {
        return new PoolMember(a, "replica", true, "healthy");
    }

    private static PoolMember out(HostPort a) {
        return new PoolMember(a, "replica", false, "s_down");
    }

    private static List<ServerState> servers(int admin1, int admin2, int admin3) {
        return Snapshot.parse(serversState(server("rd", "node1", "127.0.0.1", 7001, 2, admin1),
                server("rd", "node2", "127.0.0.1", 7002, 2, admin2),
                server("rd", "node3", "127.0.0.1", 7003, 2, admin3))).backend("rd");
    }

    @Test
    void readiesWhatComesInBeforeTakingOutWhatGoes() {
        ReadPoolPlan plan = ReadPoolPlan.of(pool(false, out(N1), in(N2), in(N3)), servers(READY, MAINT, READY));
        assertEquals(List.of("set server rd/node2 state ready", "set server rd/node1 state maint",
                "shutdown sessions server rd/node1"), plan.commands());
        assertEquals(2, plan.size());
    }

    @Test
    void aBackendInStepGetsNoCommand() {
        assertEquals(List.of(), ReadPoolPlan.of(pool(false, out(N1), in(N2), in(N3)), servers(MAINT, READY, READY)).commands());
        assertEquals(List.of(), ReadPoolPlan.of(pool(true, out(N1), in(N2), in(N3)), servers(DRAIN, READY, READY)).commands());
    }

    @Test
    void aServerInMaintenanceByHaproxysConfigIsNotSentWhatCannotChangeIt() {
        int configMaint = 0x04;
        assertEquals(List.of(), ReadPoolPlan.of(pool(false, in(N1), in(N2), in(N3)), servers(configMaint, READY, READY)).commands());
    }

    @Test
    void drainModeDrainsInsteadOfCuttingAndLeavesMaintenanceForDrain() {
        ReadPoolPlan plan = ReadPoolPlan.of(pool(true, out(N1), out(N2), in(N3)), servers(READY, MAINT, DRAIN));
        assertEquals(List.of("set server rd/node3 state ready", "set server rd/node1 state drain",
                "set server rd/node2 state drain"), plan.commands());
    }

    @Test
    void aServerNoSentinelKnowsStaysOutAndANodeWithoutServerIsMissing() {
        HostPort unlisted = new HostPort("127.0.0.1", 7009);
        ReadPoolPlan plan = ReadPoolPlan.of(pool(false, in(N1), in(N2), in(unlisted)), servers(READY, READY, READY));
        assertEquals(List.of("set server rd/node3 state maint", "shutdown sessions server rd/node3"), plan.commands());
        assertEquals(List.of("node3 (127.0.0.1:7003)"), plan.unknown());
        assertEquals(List.of(unlisted), plan.missing());
        assertEquals(2, plan.size());
    }
}
