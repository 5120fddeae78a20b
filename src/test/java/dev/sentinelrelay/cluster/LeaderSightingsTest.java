package dev.sentinelrelay.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Who leads as this relay saw it: changes, takeovers, and whom a term of its own takes over from. */
class LeaderSightingsTest {

    private final LeaderSightings sightings = new LeaderSightings("relay-1");

    private List<String> takeovers() {
        return sightings.snapshot().takeovers().stream().map(t -> t.from() + ">" + t.to()).toList();
    }

    @Test
    void theFirstLeaderSeenIsNoChangeAndAGapWithoutLeaderIsNoneEither() {
        sightings.seen("relay-2");
        sightings.seen(null);
        sightings.seen("relay-2");
        assertEquals(0, sightings.changes());
        assertEquals(List.of("null>relay-2"), takeovers());
        assertEquals("relay-2", sightings.leader());
    }

    @Test
    void everyOtherLeaderCountsNewestFirst() {
        sightings.seen("relay-2");
        sightings.seen("relay-3");
        sightings.seen("relay-1");
        assertEquals(2, sightings.changes());
        assertEquals(List.of("relay-3>relay-1", "relay-2>relay-3", "null>relay-2"), takeovers());
    }

    @Test
    void aTermTakesOverFromTheOtherRelaySeenSinceTheLastTermOnly() {
        sightings.seen("relay-2");
        assertEquals("relay-2", sightings.beginTerm());
        sightings.seen("relay-1");
        assertNull(sightings.beginTerm(), "a short step-down of its own takes over from nobody");
    }
}
