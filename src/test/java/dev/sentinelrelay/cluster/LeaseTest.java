package dev.sentinelrelay.cluster;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final Lease lease = new Lease(100, clock::get);

    @Test
    void noLeaseUntilZooKeeperConfirms() {
        assertFalse(lease.holds());
    }

    @Test
    void holdsForItsLengthFromWhenZooKeeperWasAsked() {
        lease.renew(990);
        clock.set(1_089);
        assertTrue(lease.holds());
        clock.set(1_090);
        assertFalse(lease.holds(), "counted from when it asked, not from the answer");
    }

    @Test
    void aRelayResumedAfterAFreezeFindsItExpired() {
        lease.renew(1_000);
        clock.addAndGet(5_000_000_000L);
        assertFalse(lease.holds());
    }

    @Test
    void endsAtOnce() {
        lease.renew(1_000);
        lease.end();
        assertFalse(lease.holds());
    }

    @Test
    void followsAShorterGrantedSession() {
        lease.renew(1_000);
        clock.set(1_050);
        lease.length(40);
        assertFalse(lease.holds());
    }
}
