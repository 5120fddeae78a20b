package dev.sentinelrelay.sentinel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResolverTurnsTest {

    private final ResolverTurns turns = new ResolverTurns();

    @Test
    void aQuietRelayDecidesOnTheThreadThatBroughtTheTrigger() {
        assertTrue(turns.arrive("a"));
        turns.doneHere("a");
        assertTrue(turns.arrive("a"), "decided and done: quiet again");
    }

    @Test
    void aTriggerArrivingWhileItsMasterIsDecidedIsQueued() {
        assertTrue(turns.arrive("a"));
        assertFalse(turns.arrive("a"));
    }

    @Test
    void onlyOneTriggerAtATimeIsDecidedOnTheThreadThatBroughtIt() {
        assertTrue(turns.arrive("a"));
        assertFalse(turns.arrive("b"), "another master's trigger goes to its resolver meanwhile");
        turns.doneHere("a");
        assertFalse(turns.arrive("b"), "b's queued trigger is pending: this one goes after it");
    }

    @Test
    void aMasterWithAQueuedTriggerQueuesTheNextUntilItIsDecided() throws InterruptedException {
        assertTrue(turns.arrive("a"));
        assertFalse(turns.arrive("a"));
        turns.doneHere("a");
        assertFalse(turns.arrive("a"), "one still queued");
        // the resolver route decides both queued triggers
        turns.takeTurn("a");
        turns.done("a");
        turns.takeTurn("a");
        turns.done("a");
        assertTrue(turns.arrive("a"));
    }

    @Test
    void theResolverWaitsForTheTriggerDecidedElsewhere() throws InterruptedException {
        assertTrue(turns.arrive("a"));
        assertFalse(turns.arrive("a"));
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
        turns.doneHere("a");
        assertTrue(took.await(10, TimeUnit.SECONDS));
        resolver.join(10_000);
    }
}
