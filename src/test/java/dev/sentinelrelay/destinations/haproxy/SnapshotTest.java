package dev.sentinelrelay.destinations.haproxy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.MAP;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.STATE_ST;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.map;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SnapshotTest {

    private static final String TWO_BACKENDS = serversState(
            server("redis_node1", "node1", "127.0.0.1", 6379, 2, 0),
            server("redis_node2", "node2", "127.0.0.1", 6380, 2, 0),
            server("redis_node2", "node2b", "127.0.0.1", 6381, 0, 1));

    @Test
    void parsesTheServersOfAServersStateAnswer() {
        Snapshot s = Snapshot.parse(STATE_ST);
        assertEquals(List.of(new ServerState("st", "node1", "127.0.0.1", 6379, 0, 1),
                new ServerState("st", "node2", "127.0.0.1", 6380, 2, 0)), s.servers());
        assertEquals(Map.of(), s.mapEntries());
    }

    @Test
    void parsesTheMapEntriesOfAShowMapAnswer() {
        Snapshot s = Snapshot.parse(TWO_BACKENDS + MAP);
        assertEquals(Map.of("mymaster", "redis_node1"), s.mapEntries());
        assertEquals(3, s.servers().size());
    }

    @Test
    void readsEveryMapEntry() {
        assertEquals(Map.of("mymaster", "redis_node2", "cache", "redis_cache1"),
                Snapshot.parse(STATE_ST + map("mymaster", "redis_node2", "cache", "redis_cache1")).mapEntries());
    }

    @Test
    void anEmptyMapHasNoEntries() {
        assertEquals(Map.of(), Snapshot.parse(STATE_ST + "\n").mapEntries());
    }

    @Test
    void theFirstOfDuplicateKeysWinsAsInHaproxy() {
        assertEquals(Map.of("mymaster", "redis_node1"),
                Snapshot.parse(STATE_ST + map("mymaster", "redis_node1", "mymaster", "redis_node2")).mapEntries());
    }

    @Test
    void selectsTheServersOfOneBackend() {
        Snapshot s = Snapshot.parse(TWO_BACKENDS);
        assertEquals(List.of("node2", "node2b"), s.backend("redis_node2").stream().map(ServerState::server).toList());
        assertEquals(List.of(), s.backend("redis_nope"));
    }

    @Test
    void findsOneServerOfOneBackend() {
        Snapshot s = Snapshot.parse(TWO_BACKENDS);
        assertEquals(6381, s.server("redis_node2", "node2b").orElseThrow().port());
        assertEquals(Optional.empty(), s.server("redis_node1", "node2"), "a server of another backend");
    }

    @Test
    void withMapEntryReturnsAnUpdatedCopy() {
        Snapshot before = Snapshot.parse(STATE_ST + MAP);
        Snapshot after = before.withMapEntry("mymaster", "redis_reject");
        assertEquals(Map.of("mymaster", "redis_reject"), after.mapEntries());
        assertEquals(Map.of("mymaster", "redis_node1"), before.mapEntries());
        assertEquals(before.servers(), after.servers());
        assertEquals(Map.of("cache", "redis_c"), Snapshot.parse(STATE_ST).withMapEntry("cache", "redis_c").mapEntries());
    }

    @Test
    void refusesSomethingThatIsNotAServersStateAnswer() {
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse("Can't find backend.\n\n"));
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse(""));
    }
}
