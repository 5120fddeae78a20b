package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.STATE_ST;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code show servers state} as HAProxy 2.6 prints it. */
class ServerStateTest {

    private static List<ServerState> parse(String answer) {
        return ServerState.parse(answer.lines().toList());
    }

    private static ServerState one(int opState, int adminState) {
        return parse(serversState(server("st", "node1", "10.0.0.2", 6380, opState, adminState))).get(0);
    }

    @Test
    void parsesEveryServerWithItsAddressAndStates() {
        assertEquals(List.of(new ServerState("st", "node1", "127.0.0.1", 6379, 0, 1),
                new ServerState("st", "node2", "127.0.0.1", 6380, 2, 0)), parse(STATE_ST));
    }

    @Test
    void aServerDownAndInMaintenanceNeitherServesNorRuns() {
        ServerState node1 = parse(STATE_ST).get(0);
        assertFalse(node1.serving());
        assertFalse(node1.running());
        assertFalse(node1.pointsAt(new HostPort("127.0.0.1", 6379)), "in maintenance");
        assertTrue(node1.at(new HostPort("127.0.0.1", 6379)), "still has the address");
    }

    @Test
    void aReadyRunningServerPointsAtItsAddressOnly() {
        ServerState node2 = parse(STATE_ST).get(1);
        assertTrue(node2.serving());
        assertTrue(node2.running());
        assertTrue(node2.pointsAt(new HostPort("127.0.0.1", 6380)));
        assertFalse(node2.pointsAt(new HostPort("127.0.0.1", 6379)), "other port");
        assertFalse(node2.pointsAt(new HostPort("127.0.0.2", 6380)), "other address");
    }

    @ParameterizedTest(name = "admin state {0}")
    @ValueSource(ints = {0x01, 0x02, 0x04, 0x08, 0x10, 0x18, 0x20, 0x23, 0x40})
    void everyMaintenanceOrDrainBitStopsServing(int adminState) {
        assertFalse(one(2, adminState).serving());
    }

    @ParameterizedTest(name = "op state {0}")
    @ValueSource(ints = {0, 1, 3})
    void onlyOpState2IsRunning(int opState) {
        assertFalse(one(opState, 0).running());
        assertTrue(one(opState, 0).serving(), "the admin state alone decides serving");
    }

    @Test
    void locatesColumnsByTheHeaderNotByPosition() {
        List<ServerState> s = ServerState.parse(List.of("1",
                "# srv_port srv_admin_state srv_op_state srv_addr srv_name be_name extra_new_column",
                "6380 0 2 10.0.0.2 node2 st x"));
        assertEquals(List.of(new ServerState("st", "node2", "10.0.0.2", 6380, 2, 0)), s);
    }

    @Test
    void skipsLinesThatDoNotMatchTheHeader() {
        assertEquals(List.of(), ServerState.parse(List.of("1", "# be_name srv_name srv_addr srv_port srv_op_state srv_admin_state",
                "st node1 10.0.0.1 6379 2")));
    }

    @Test
    void anEmptyBackendHasNoServers() {
        assertEquals(List.of(), parse(serversState()));
    }

    @Test
    void refusesAnswersThatAreNotFormatVersion1() {
        assertThrows(IllegalArgumentException.class, () -> ServerState.parse(List.of()));
        assertThrows(IllegalArgumentException.class, () -> parse("Can't find backend.\n"));
        assertThrows(IllegalArgumentException.class, () -> parse("2\n" + HaproxyReplies.HEADER));
    }

    @Test
    void refusesAnswersWithoutAUsableHeader() {
        assertThrows(IllegalArgumentException.class, () -> parse("1\n6 st 1 node1 127.0.0.1 0 1\n"));
        assertThrows(IllegalArgumentException.class,
                () -> parse("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n6 st 1 node1 127.0.0.1 0 1\n"),
                "no srv_port column");
    }
}
