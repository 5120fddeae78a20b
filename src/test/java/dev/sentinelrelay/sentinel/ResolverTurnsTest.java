package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResolverTurnsTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);

    private final ResolverTurns turns = new ResolverTurns();

    private static Trigger switchMaster(String master) {
        return Trigger.of(new SentinelEvent("+switch-master", master, OLD, NEW, "s1"));
    }

    @Test
    void aSwitchMasterOnAQuietRelayIsDecidedOnItsEventsThread() {
        assertTrue(turns.decideHere(switchMaster("a")));
        turns.done("a");
        assertTrue(turns.decideHere(switchMaster("a")), "decided and done: quiet again");
    }

    @Test
    void otherTriggersAreAlwaysQueued() {
        assertFalse(turns.decideHere(Trigger.of(new SentinelEvent("+odown", "a", OLD, null, "s1"))));
        assertFalse(turns.decideHere(Trigger.reconcile("a")));
        assertFalse(turns.decideHere(Trigger.promotion("a", NEW)));
        assertTrue(turns.decideHere(switchMaster("a")), "none of them took a turn or counted");
    }

    @Test
    void aSwitchMasterArrivingWhileItsMasterIsDecidedIsQueued() {
        assertTrue(turns.decideHere(switchMaster("a")));
        assertFalse(turns.decideHere(switchMaster("a")));
    }

    @Test
    void onlyOneTriggerAtATimeIsDecidedOnAnEventsThread() {
        assertTrue(turns.decideHere(switchMaster("a")));
        assertFalse(turns.decideHere(switchMaster("b")), "b goes to its resolver meanwhile");
        turns.done("a");
        assertTrue(turns.decideHere(switchMaster("b")));
    }

    @Test
    void aMasterWithAQueuedTriggerQueuesTheNextUntilItIsDecided() throws InterruptedException {
        turns.queued("a");
        assertFalse(turns.decideHere(switchMaster("a")), "behind the queued one");
        turns.takeTurn("a");
        turns.done("a");
        assertTrue(turns.decideHere(switchMaster("a")));
    }

    @Test
    void aTriggerThatCouldNotBeQueuedIsNotPending() {
        turns.queued("a");
        IllegalStateException full = new IllegalStateException("Queue full");
        assertEquals(full, assertThrows(IllegalStateException.class, () -> turns.notQueued("a", full)));
        assertTrue(turns.decideHere(switchMaster("a")));
    }

    @Test
    void theResolverWaitsForTheTriggerDecidedOnAnEventsThread() throws InterruptedException {
        assertTrue(turns.decideHere(switchMaster("a")));
        turns.queued("a");
        CountDownLatch took = new CountDownLatch(1);
        Thread resolver = new Thread(() -> {
            try {
                turns.takeTurn("a");
                took.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        resolver.start();
        assertFalse(took.await(200, TimeUnit.MILLISECONDS), "took its turn while the first was being decided");
        turns.done("a");
        assertTrue(took.await(10, TimeUnit.SECONDS));
        resolver.join(10_000);
    }
}
