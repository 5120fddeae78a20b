package dev.sentinelrelay.destinations;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewestWinsTest {

    private final NewestWins queue = new NewestWins();

    /** What a destination's route does on its thread: take the waiting body as long as one waits. */
    private static List<Object> run(NewestWins queue, String key) {
        List<Object> ran = new ArrayList<>();
        while (queue.hasNext(key)) {
            ran.add(queue.next(key));
        }
        return ran;
    }

    @Test
    void theFirstOfferStartsARunAndTheRunEndsWhenNothingWaits() {
        assertTrue(queue.offer("haproxy-1/mymaster", "a"));
        assertFalse(queue.idle());
        assertEquals(List.of("a"), run(queue, "haproxy-1/mymaster"));
        assertTrue(queue.idle());
        assertTrue(queue.offer("haproxy-1/mymaster", "b"), "the run ended: the next offer starts another");
    }

    @Test
    void theNewestBodyReplacesOneThatHasNotStarted() {
        assertTrue(queue.offer("k", "1"));
        assertTrue(queue.hasNext("k"));
        assertEquals("1", queue.next("k"));
        assertFalse(queue.offer("k", "2"), "1 runs: 2 waits");
        assertFalse(queue.offer("k", "3"));
        assertEquals(List.of("3"), run(queue, "k"), "2 was replaced before it started");
        assertTrue(queue.idle());
    }

    @Test
    void keysRunIndependently() {
        assertTrue(queue.offer("haproxy-1/mymaster", "a"));
        assertTrue(queue.offer("haproxy-2/mymaster", "a"));
        assertTrue(queue.offer("haproxy-1/other", "a"));
        assertEquals(List.of("a"), run(queue, "haproxy-2/mymaster"));
        assertFalse(queue.idle());
    }

    /**
     * A body that failed ends nothing by itself: the route catches the failure and asks for the next body like after
     * a success (routes/40-haproxy.yaml), so the key is free once nothing waits and a later offer starts a new run.
     */
    @Test
    void aRunWhoseBodyFailedGoesOnWithTheNewestAndThenLeavesTheKeyFree() {
        assertTrue(queue.offer("k", "fails"));
        assertTrue(queue.hasNext("k"));
        assertEquals("fails", queue.next("k"));
        assertFalse(queue.offer("k", "newer"));
        assertEquals(List.of("newer"), run(queue, "k"), "taken after the failure");
        assertTrue(queue.offer("k", "later"));
    }

    /** Offers from one thread, runs on another: bodies run in offer order, the newest always, each at most once. */
    @Test
    void concurrentOffersAndRunsLoseOnlyReplacedBodies() throws Exception {
        List<Object> ran = new ArrayList<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (int i = 1; i <= 10_000; i++) {
                if (queue.offer("k", i)) {
                    runner.execute(() -> ran.addAll(run(queue, "k")));
                }
            }
        } finally {
            runner.shutdown();
            assertTrue(runner.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<Integer> numbers = ran.stream().map(Integer.class::cast).toList();
        assertEquals(numbers.stream().sorted().distinct().toList(), numbers, "in offer order, none twice");
        assertEquals(10_000, numbers.get(numbers.size() - 1), "the newest always runs");
        assertTrue(queue.idle());
    }
}
