package dev.sentinelrelay;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewestWinsTest {

    private final NewestWins queue = new NewestWins();

    @Test
    void theFirstOfferStartsARunAndTheRunEndsWhenNothingWaits() {
        assertTrue(queue.offer("haproxy-1/mymaster", "a"));
        assertFalse(queue.idle());
        assertNull(queue.next("haproxy-1/mymaster"));
        assertTrue(queue.idle());
        assertTrue(queue.offer("haproxy-1/mymaster", "b"), "the run ended: the next offer starts another");
    }

    @Test
    void theNewestBodyReplacesOneThatHasNotStarted() {
        assertTrue(queue.offer("k", "1"));
        assertFalse(queue.offer("k", "2"));
        assertFalse(queue.offer("k", "3"));
        assertEquals("3", queue.next("k"), "2 was replaced before it started");
        assertNull(queue.next("k"));
    }

    @Test
    void keysRunIndependently() {
        assertTrue(queue.offer("haproxy-1/mymaster", "a"));
        assertTrue(queue.offer("haproxy-2/mymaster", "a"));
        assertTrue(queue.offer("haproxy-1/other", "a"));
        assertNull(queue.next("haproxy-2/mymaster"));
        assertFalse(queue.idle());
    }

    /**
     * A run that ends because its last body failed must release the key like any other: the routes ask for the
     * next body after a failure too (routes/40-haproxy.yaml catches it), so a later offer starts a new run.
     */
    @Test
    void aRunThatFailedAndAskedForTheNextBodyLeavesTheKeyFree() {
        assertTrue(queue.offer("k", "fails"));
        assertFalse(queue.offer("k", "newer"));
        assertEquals("newer", queue.next("k"), "taken after the failure");
        assertNull(queue.next("k"));
        assertTrue(queue.offer("k", "later"));
    }

    /** Offers from one thread, a run on another: every body is either run or replaced, in order, none after the last. */
    @Test
    void concurrentOffersAndRunsLoseOnlyReplacedBodies() throws Exception {
        List<Integer> ran = new ArrayList<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (int i = 1; i <= 10_000; i++) {
                if (queue.offer("k", i)) {
                    int first = i;
                    runner.execute(() -> {
                        for (Object body = first; body != null; body = queue.next("k")) {
                            ran.add((Integer) body);
                        }
                    });
                }
            }
        } finally {
            runner.shutdown();
            assertTrue(runner.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(ran.stream().sorted().toList(), ran, "in offer order");
        assertEquals(10_000, ran.get(ran.size() - 1), "the newest always runs");
        assertTrue(queue.idle());
    }
}
