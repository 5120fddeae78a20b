package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingVerificationsTest {

    private static final long MS = 1_000_000;
    private static final HostPort A = new HostPort("10.0.0.1", 6379);
    private static final HostPort B = new HostPort("10.0.0.2", 6379);

    private final AtomicLong now = new AtomicLong(-5_000 * MS); // nanoTime may be negative
    private final PendingVerifications pending = new PendingVerifications(now::get);

    private static Trigger switchMaster(String master) {
        return Trigger.of(new SentinelEvent("+switch-master", master, A, B, "s1"));
    }

    private static VerificationPendingException pendingFor(Trigger trigger) {
        return new VerificationPendingException(trigger.event(),
                new Verdict(trigger, null, List.of(Vote.of("s1", A)), "no majority"));
    }

    /** Advances the clock 1 ms at a time until the trigger is due; returns the milliseconds waited. */
    private long waitUntilDue(Trigger trigger) {
        for (long waited = 1; waited <= 10_000; waited++) {
            now.addAndGet(MS);
            List<Trigger> due = pending.due();
            if (!due.isEmpty()) {
                assertEquals(List.of(trigger), due);
                return waited;
            }
        }
        throw new AssertionError("never due");
    }

    @Test
    void aPendingEventIsVerifiedAgainAfter100200400800And1600And2000MsThenGivenUp() {
        Trigger trigger = switchMaster("mymaster");
        List<Long> delays = new ArrayList<>();
        while (pending.retryLater(pendingFor(trigger))) {
            delays.add(waitUntilDue(trigger));
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L), delays);
        assertEquals(0, pending.size(), "given up: forgotten");
    }

    @Test
    void aRetryIsHandedOutOnceAndNothingIsDueBeforeItsTime() {
        Trigger trigger = switchMaster("mymaster");
        assertTrue(pending.retryLater(pendingFor(trigger)));
        now.addAndGet(99 * MS);
        assertEquals(List.of(), pending.due());
        now.addAndGet(MS);
        assertEquals(List.of(trigger), pending.due());
        now.addAndGet(5_000 * MS);
        assertEquals(List.of(), pending.due(), "handed out already, waiting to be verified");
    }

    @Test
    void aRetryThatIsDecidedIsForgottenAndCountsStartAgainForItsMaster() {
        Trigger first = switchMaster("mymaster");
        assertTrue(pending.retryLater(pendingFor(first)));
        waitUntilDue(first);
        // verified on its retry: it never comes back pending
        now.addAndGet(PendingVerifications.FORGET_QUEUED_NANOS + MS);
        pending.due();
        assertEquals(0, pending.size());
        Trigger next = switchMaster("mymaster");
        assertTrue(pending.retryLater(pendingFor(next)));
        assertEquals(100, waitUntilDue(next), "a new event starts from the first delay");
    }

    @Test
    void eachEventCountsItsOwnRetries() {
        Trigger one = switchMaster("m1");
        Trigger other = switchMaster("m2");
        for (int i = 0; i < PendingVerifications.RETRIES; i++) {
            assertTrue(pending.retryLater(pendingFor(one)));
            waitUntilDue(one);
        }
        assertTrue(pending.retryLater(pendingFor(other)));
        assertFalse(pending.retryLater(pendingFor(one)));
        assertEquals(100, waitUntilDue(other));
    }
}
