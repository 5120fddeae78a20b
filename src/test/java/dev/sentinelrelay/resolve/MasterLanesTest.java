package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterLanesTest {

    private static final long MS = 1_000_000;
    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);

    private final AtomicLong now = new AtomicLong(-5_000 * MS); // nanoTime may be negative
    private final MasterLanes lanes = new MasterLanes(now::get);

    static Trigger switchMaster(String master) {
        return Trigger.of(new SentinelEvent("+switch-master", master, OLD, NEW, "s1"));
    }

    private static VerificationPendingException pendingFor(Trigger trigger) {
        return new VerificationPendingException(trigger.event(),
                new Verdict(trigger, null, List.of(Vote.of("s1", OLD)), "no majority"));
    }

    /** Advances the clock 1 ms at a time until the trigger is due; returns the milliseconds waited. */
    private long waitUntilDue(Trigger trigger) {
        for (long waited = 1; waited <= 10_000; waited++) {
            now.addAndGet(MS);
            List<Trigger> due = lanes.due();
            if (!due.isEmpty()) {
                assertEquals(List.of(trigger), due);
                return waited;
            }
        }
        throw new AssertionError("never due");
    }

    private void assertNothingDueFor(long millis) {
        for (long waited = 0; waited < millis; waited++) {
            now.addAndGet(MS);
            assertEquals(List.of(), lanes.due());
        }
    }

    @Test
    void aSwitchMasterOnAQuietRelayIsDecidedOnItsEventsThread() {
        assertTrue(lanes.decideHere(switchMaster("a")));
        lanes.done("a");
        assertTrue(lanes.decideHere(switchMaster("a")), "decided and done: quiet again");
    }

    @Test
    void otherTriggersAreAlwaysQueued() {
        assertFalse(lanes.decideHere(Trigger.of(new SentinelEvent("+odown", "a", OLD, null, "s1"))));
        assertFalse(lanes.decideHere(Trigger.reconcile("a")));
        assertFalse(lanes.decideHere(Trigger.promotion("a", NEW)));
        assertTrue(lanes.decideHere(switchMaster("a")), "none of them took a turn or counted");
    }

    @Test
    void aSwitchMasterArrivingWhileItsMasterIsDecidedIsQueued() {
        assertTrue(lanes.decideHere(switchMaster("a")));
        assertFalse(lanes.decideHere(switchMaster("a")));
    }

    @Test
    void onlyOneTriggerAtATimeIsDecidedOnAnEventsThread() {
        assertTrue(lanes.decideHere(switchMaster("a")));
        assertFalse(lanes.decideHere(switchMaster("b")), "b goes to its resolver meanwhile");
        lanes.done("a");
        assertTrue(lanes.decideHere(switchMaster("b")));
    }

    @Test
    void aMasterWithAQueuedTriggerQueuesTheNextUntilItIsDecided() throws InterruptedException {
        lanes.queued("a");
        assertFalse(lanes.decideHere(switchMaster("a")), "behind the queued one");
        lanes.takeTurn("a");
        assertFalse(lanes.decideHere(switchMaster("a")), "the queued one is being decided");
        lanes.done("a");
        assertTrue(lanes.decideHere(switchMaster("a")));
    }

    @Test
    void aTriggerThatCouldNotBeQueuedIsNotInTheLane() {
        lanes.queued("a");
        IllegalStateException full = new IllegalStateException("Queue full");
        assertEquals(full, assertThrows(IllegalStateException.class, () -> lanes.notQueued("a", full)));
        assertTrue(lanes.decideHere(switchMaster("a")));
    }

    @Test
    void aResolverStoppedWhileWaitingForItsTurnLeavesTheLaneEmpty() throws InterruptedException {
        assertTrue(lanes.decideHere(switchMaster("a")));
        lanes.queued("a");
        Thread resolver = new Thread(() -> {
            try {
                lanes.takeTurn("a");
            } catch (InterruptedException stopping) {
                // the context stops the resolver's thread: the queued trigger is gone with it
            }
        });
        resolver.start();
        resolver.interrupt();
        resolver.join(10_000);
        assertFalse(resolver.isAlive());
        lanes.done("a");
        assertTrue(lanes.decideHere(switchMaster("a")), "nothing left counted as queued");
    }

    @Test
    void theResolverWaitsForTheTriggerDecidedOnAnEventsThread() throws InterruptedException {
        assertTrue(lanes.decideHere(switchMaster("a")));
        lanes.queued("a");
        CountDownLatch took = new CountDownLatch(1);
        Thread resolver = new Thread(() -> {
            try {
                lanes.takeTurn("a");
                took.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        resolver.start();
        assertFalse(took.await(200, TimeUnit.MILLISECONDS), "took its turn while the first was being decided");
        lanes.done("a");
        assertTrue(took.await(10, TimeUnit.SECONDS));
        resolver.join(10_000);
    }

    @Test
    void aResolverFinishingDoesNotFreeThePlaceAnEventsThreadHolds() throws InterruptedException {
        lanes.queued("a");
        lanes.takeTurn("a");
        Thread other = new Thread(() -> assertTrue(lanes.decideHere(switchMaster("b"))));
        other.start();
        other.join(10_000);
        lanes.done("a");
        assertFalse(lanes.decideHere(switchMaster("c")), "b is still decided on its event's thread");
    }

    @Test
    void aPendingEventIsVerifiedAgainAfter100200400800And1600And2000MsThenGivenUp() {
        Trigger trigger = switchMaster("mymaster");
        List<Long> delays = new ArrayList<>();
        while (lanes.retryLater(pendingFor(trigger))) {
            delays.add(waitUntilDue(trigger));
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L), delays);
        assertNothingDueFor(3_000);
        assertTrue(lanes.retryLater(pendingFor(trigger)), "given up: forgotten, so it starts over");
        assertEquals(100, waitUntilDue(trigger));
    }

    @Test
    void aRetryIsHandedOutOnceAndNothingIsDueBeforeItsTime() {
        Trigger trigger = switchMaster("mymaster");
        assertTrue(lanes.retryLater(pendingFor(trigger)));
        now.addAndGet(99 * MS);
        assertEquals(List.of(), lanes.due());
        now.addAndGet(MS);
        assertEquals(List.of(trigger), lanes.due());
        now.addAndGet(5_000 * MS);
        assertEquals(List.of(), lanes.due(), "handed out already, waiting to be verified");
    }

    @Test
    void aRetryThatIsDecidedIsForgottenAndCountsStartAgain() {
        Trigger trigger = switchMaster("mymaster");
        for (int i = 0; i < MasterLanes.RETRIES - 1; i++) {
            assertTrue(lanes.retryLater(pendingFor(trigger)));
            waitUntilDue(trigger);
        }
        // verified on its last retry: it never comes back pending, and is forgotten
        now.addAndGet(MasterLanes.FORGET_QUEUED_NANOS + MS);
        lanes.due();
        assertTrue(lanes.retryLater(pendingFor(trigger)));
        assertEquals(100, waitUntilDue(trigger), "counted from the first delay again");
    }

    @Test
    void eachEventCountsItsOwnRetries() {
        Trigger one = switchMaster("m1");
        Trigger other = switchMaster("m2");
        for (int i = 0; i < MasterLanes.RETRIES; i++) {
            assertTrue(lanes.retryLater(pendingFor(one)));
            waitUntilDue(one);
        }
        assertTrue(lanes.retryLater(pendingFor(other)));
        assertFalse(lanes.retryLater(pendingFor(one)));
        assertEquals(100, waitUntilDue(other));
    }
}
