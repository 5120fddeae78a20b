package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RuntimeCommandsTest {

    private static final HostPort MASTER = new HostPort("10.0.0.2", 6380);

    /** Values that could end a command and start another, comment it out, or name something by id. */
    static Stream<String> unsafeNames() {
        return Stream.of("b;shutdown sessions server x/y", "b; show sess", "b\nshow sess", "b\rshow sess", "b c", "b\tc",
                "#1", "b#1", "", "a".repeat(129), "b/s", "b'", "b\"", "$b", null);
    }

    static Stream<String> unsafeMapFiles() {
        return Stream.of("/tmp/hx/m.map;show sess", "/tmp/hx/m.map; show sess", "/tmp/hx/m.map\nshow sess",
                "/tmp/hx/m map", "/tmp/hx/#m.map", "#1", "m.map", "tmp/hx/m.map", "/tmp/hx/", "/", "",
                "/" + "m".repeat(129), "/a".repeat(17), null);
    }

    @Test
    void setsTheAddressAndPort() {
        assertEquals("set server st/node1 addr 10.0.0.2 port 6380", RuntimeCommands.setAddr("st", "node1", MASTER));
        assertEquals("set server st/node1 addr fe80::1 port 1", RuntimeCommands.setAddr("st", "node1", new HostPort("fe80::1", 1)));
        assertEquals("set server st/node1 addr 10.0.0.2 port 65535",
                RuntimeCommands.setAddr("st", "node1", new HostPort("10.0.0.2", 65535)));
    }

    @Test
    void setsTheAdminStateAndHealth() {
        assertEquals("set server st/node1 state ready", RuntimeCommands.setState("st", "node1", true));
        assertEquals("set server st/node1 state maint", RuntimeCommands.setState("st", "node1", false));
        assertEquals("set server st/node1 health up", RuntimeCommands.healthUp("st", "node1"));
        assertEquals("shutdown sessions server st/node1", RuntimeCommands.shutdownSessions("st", "node1"));
    }

    @Test
    void readsBackOneBackendOrAll() {
        assertEquals("show servers state st", RuntimeCommands.showServersState("st"));
        assertEquals("show servers state", RuntimeCommands.showServersState(null));
        assertEquals("show map /tmp/hx/m.map", RuntimeCommands.showMap("/tmp/hx/m.map"));
    }

    @Test
    void setsAnExistingMapEntryOrAddsAMissingOne() {
        assertEquals("set map /tmp/hx/m.map mymaster redis_node2",
                RuntimeCommands.setMap("/tmp/hx/m.map", "mymaster", "redis_node2", false));
        assertEquals("add map /tmp/hx/m.map mymaster redis_node2",
                RuntimeCommands.setMap("/tmp/hx/m.map", "mymaster", "redis_node2", true));
    }

    @Test
    void joinsCommandsIntoOneLine() {
        assertEquals("set server st/node1 state maint; shutdown sessions server st/node1\n",
                RuntimeCommands.line(List.of("set server st/node1 state maint", "shutdown sessions server st/node1")));
        assertEquals("show servers state st\n", RuntimeCommands.line(List.of("show servers state st")));
    }

    @Test
    void refusesAnEmptyLine() {
        assertThrows(IllegalArgumentException.class, () -> RuntimeCommands.line(List.of()));
    }

    @Test
    void setAddrRefusesHostnamesAndInvalidIpv4() {
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeCommands.setAddr("st", "node1", new HostPort("redis.example.org", 6379)));
        assertThrows(IllegalArgumentException.class,
                () -> RuntimeCommands.setAddr("st", "node1", new HostPort("256.1.1.1", 6379)), "a hostname, not an IP");
    }

    @ParameterizedTest
    @MethodSource("unsafeNames")
    void everyServerCommandRefusesAnUnsafeBackend(String backend) {
        assertAllThrow(
                () -> RuntimeCommands.setAddr(backend, "node1", MASTER),
                () -> RuntimeCommands.setState(backend, "node1", true),
                () -> RuntimeCommands.healthUp(backend, "node1"),
                () -> RuntimeCommands.shutdownSessions(backend, "node1"));
    }

    @ParameterizedTest
    @MethodSource("unsafeNames")
    void everyServerCommandRefusesAnUnsafeServer(String server) {
        assertAllThrow(
                () -> RuntimeCommands.setAddr("st", server, MASTER),
                () -> RuntimeCommands.setState("st", server, false),
                () -> RuntimeCommands.healthUp("st", server),
                () -> RuntimeCommands.shutdownSessions("st", server));
    }

    @ParameterizedTest
    @MethodSource("unsafeNames")
    void showServersStateRefusesAnUnsafeBackend(String backend) {
        if (backend != null) { // null means every backend
            assertThrows(IllegalArgumentException.class, () -> RuntimeCommands.showServersState(backend));
        }
    }

    @ParameterizedTest
    @MethodSource("unsafeNames")
    void setMapRefusesAnUnsafeKeyOrValue(String name) {
        assertAllThrow(
                () -> RuntimeCommands.setMap("/tmp/hx/m.map", name, "redis_node1", false),
                () -> RuntimeCommands.setMap("/tmp/hx/m.map", name, "redis_node1", true),
                () -> RuntimeCommands.setMap("/tmp/hx/m.map", "mymaster", name, false),
                () -> RuntimeCommands.setMap("/tmp/hx/m.map", "mymaster", name, true));
    }

    @ParameterizedTest
    @MethodSource("unsafeMapFiles")
    void mapCommandsRefuseAnUnsafeMapFile(String mapFile) {
        assertAllThrow(
                () -> RuntimeCommands.showMap(mapFile),
                () -> RuntimeCommands.setMap(mapFile, "mymaster", "redis_node1", false),
                () -> RuntimeCommands.setMap(mapFile, "mymaster", "redis_node1", true));
    }

    @Test
    void acceptsTheLongestSafeName() {
        String name = "a".repeat(128);
        assertEquals("shutdown sessions server " + name + "/" + name, RuntimeCommands.shutdownSessions(name, name));
    }

    private static void assertAllThrow(Executable... builders) {
        for (Executable builder : builders) {
            assertThrows(IllegalArgumentException.class, builder);
        }
    }
}
