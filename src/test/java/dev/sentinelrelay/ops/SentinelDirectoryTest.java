package dev.sentinelrelay.ops;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelEvent;
import org.junit.jupiter.api.Test;

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
}
