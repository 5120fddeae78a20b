package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code show servers state} as HAProxy 2.6 prints it. */
class ServerStateTest {

    private static final String HEADER = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
            + "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
            + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
            + "srv_check_addr srv_agent_addr srv_agent_port\n";

    private static String reply(String addr, int adminState, int port) {
        return HEADER + "3 redis_mymaster 1 other 10.9.9.9 2 0 1 1 5 1 0 0 0 0 0 0 - 1 - 0 0 - - 0\n"
                + "3 redis_mymaster 2 master " + addr + " 2 " + adminState + " 1 1 5 1 0 0 0 0 0 0 - " + port + " - 0 0 - - 0\n\n";
    }

    @Test
    void findsTheServerAndTellsWhetherItRoutesToTheMaster() {
        ServerState s = ServerState.find(reply("10.0.0.2", 0, 6380), "redis_mymaster", "master").orElseThrow();
        assertEquals("10.0.0.2", s.address());
        assertEquals(6380, s.port());
        assertTrue(s.pointsAt(new HostPort("10.0.0.2", 6380)));
        assertFalse(s.pointsAt(new HostPort("10.0.0.2", 6379)));
        assertFalse(s.pointsAt(new HostPort("10.0.0.3", 6380)));
    }

    @Test
    void aServerInMaintenanceOrDrainDoesNotRoute() {
        assertFalse(ServerState.find(reply("10.0.0.2", 1, 6380), "redis_mymaster", "master").orElseThrow()
                .pointsAt(new HostPort("10.0.0.2", 6380)));
        assertFalse(ServerState.find(reply("10.0.0.2", 8, 6380), "redis_mymaster", "master").orElseThrow().serving());
    }

    @Test
    void missingServerIsEmptyAndGarbageIsAnError() {
        assertEquals(Optional.empty(), ServerState.find(reply("10.0.0.2", 0, 6380), "redis_mymaster", "nope"));
        assertThrows(IllegalArgumentException.class, () -> ServerState.find("Can't find backend.\n", "b", "s"));
        assertThrows(IllegalArgumentException.class, () -> ServerState.find("1\n3 b 1 s 10.0.0.1\n", "b", "s"));
    }
}
