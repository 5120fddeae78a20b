package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FollowedSentinelsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final HostPort A = new HostPort("10.0.0.1", 26379);
    private static final HostPort B = new HostPort("10.0.0.2", 26379);
    private static final HostPort C = new HostPort("10.0.0.3", 26379);

    @Test
    void theMajorityIsCountedOverTheSetAsItIsNow() {
        FollowedSentinels followed = new FollowedSentinels(List.of(A), T0);
        assertEquals(1, followed.majority());
        followed.add(B, T0);
        followed.add(C, T0);
        assertEquals(2, followed.majority());
        assertEquals(List.of(A, B, C), followed.addresses());
        followed.remove(C);
        assertEquals(2, followed.majority());
    }

    @Test
    void discoveredSentinelsGetNewIdsNeverReused() {
        FollowedSentinels followed = new FollowedSentinels(List.of(A), T0);
        assertEquals("sentinel-2", followed.add(B, T0.plusSeconds(1)).id());
        followed.remove(B);
        FollowedSentinels.Sentinel again = followed.add(B, T0.plusSeconds(2));
        assertEquals("sentinel-3", again.id());
        assertEquals("discovered", again.origin());
        assertEquals(T0.plusSeconds(2), again.since());
    }

    @Test
    void aConfiguredSentinelIsNeverRemoved() {
        FollowedSentinels followed = new FollowedSentinels(List.of(A, B), T0);
        assertThrows(IllegalStateException.class, () -> followed.remove(A));
        assertEquals(List.of(A, B), followed.addresses());
    }
}
