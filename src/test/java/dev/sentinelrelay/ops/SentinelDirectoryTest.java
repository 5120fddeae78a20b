package dev.sentinelrelay.ops;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SentinelDirectoryTest {

    private final SentinelDirectory directory =
            new SentinelDirectory(Map.of("sentinel-1", new HostPort("127.0.0.1", 26379)));

    @Test
    void eventsFindTheirSentinelByLabelAndUnknownLabelsStandForThemselves() {
        SentinelEvent known = new SentinelEvent("+sdown", "mymaster", new HostPort("10.0.0.1", 6379), null,
                "sentinel-1 (127.0.0.1:26379)");
        assertEquals("sentinel-1", directory.received(known));
        assertEquals("stranger", directory.rejected("stranger"));
        assertEquals("sentinel-1", directory.rejected("sentinel-1 (127.0.0.1:26379)"));

        Map<String, Object> one = directory.sentinels().get(0).toMap();
        assertEquals("+sdown mymaster", one.get("lastEvent"));
        assertEquals(1L, one.get("eventsRejected"));
        assertNull(one.get("reachable"), "not asked yet");
        assertEquals(0, directory.reachable());
    }

    @Test
    void aDiscoveredSentinelIsListedWithItsOriginAndSinceAndItsEventsAreFoundUntilItIsForgotten() {
        HostPort fourth = new HostPort("127.0.0.1", 26382);
        Instant since = Instant.parse("2026-12-01T05:00:00Z");
        directory.followed("sentinel-4", fourth, "discovered", since);
        SentinelEvent event = new SentinelEvent("+sdown", "mymaster", new HostPort("10.0.0.1", 6379), null,
                "sentinel-4 (127.0.0.1:26382)");
        assertEquals("sentinel-4", directory.received(event));
        Map<String, Object> four = directory.sentinels().get(1).toMap();
        assertEquals("discovered", four.get("origin"));
        assertEquals("2026-12-01T05:00:00Z", four.get("followedSince"));
        assertEquals("configured", directory.sentinels().get(0).toMap().get("origin"));

        directory.discoveryAnswer(fourth, "NOAUTH Authentication required.");
        four = directory.sentinels().get(1).toMap();
        assertEquals(false, four.get("reachable"));
        assertEquals("discovery: NOAUTH Authentication required.", four.get("lastError"));

        directory.forgotten("sentinel-4", fourth);
        assertEquals(1, directory.sentinels().size());
        assertEquals(event.sentinel(), directory.received(event), "an event of a forgotten sentinel stands for itself");
    }
}
