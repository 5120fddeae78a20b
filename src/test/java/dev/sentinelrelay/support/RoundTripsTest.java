package dev.sentinelrelay.support;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundTripsTest {

    /** Every round trip: its peer and requests. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private List<String> echo(String peer, List<String> requests) {
        sent.add(peer + " " + requests);
        return requests.stream().map(r -> peer + ":" + r).toList();
    }

    @Test
    void aLoneRequestGoesOutAtOnceOnTheCallersThread() throws Exception {
        RoundTrips<String, String, String> trips = new RoundTrips<>(this::echo, Runnable::run);
        CompletableFuture<String> answer = trips.submit("a", "x");
        assertTrue(answer.isDone(), "answered before submit returned");
        assertEquals("a:x", answer.get());
        assertEquals(List.of("a [x]"), sent);
    }

    @Test
    void requestsArrivingWhileARoundTripIsInFlightGoTogetherInTheNextAndEachGetsItsOwnAnswer() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RoundTrips<String, String, String> trips = new RoundTrips<>((peer, requests) -> {
            if (requests.equals(List.of("first"))) {
                inFlight.countDown();
                hold(release);
            }
            return echo(peer, requests);
        }, pool);
        CompletableFuture<String> first = trips.submit("a", "first");
        assertTrue(inFlight.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> second = trips.submit("a", "second");
        CompletableFuture<String> third = trips.submit("a", "third");
        CompletableFuture<String> other = trips.submit("b", "elsewhere");
        assertEquals("b:elsewhere", other.get(10, TimeUnit.SECONDS), "another peer does not wait");
        release.countDown();

        assertEquals("a:first", first.get(10, TimeUnit.SECONDS));
        assertEquals("a:second", second.get(10, TimeUnit.SECONDS));
        assertEquals("a:third", third.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("b [elsewhere]", "a [first]", "a [second, third]"), sent);
    }

    @Test
    void aFailedRoundTripFailsEveryRequestInItAndTheNextRoundTripIsSentAnyway() throws Exception {
        RoundTrips<String, String, String> trips = new RoundTrips<>((peer, requests) -> {
            if (requests.contains("bad")) {
                throw new IllegalStateException("connection refused");
            }
            return echo(peer, requests);
        }, Runnable::run);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> trips.submit("a", "bad").get());
        assertEquals("connection refused", failed.getCause().getMessage());
        assertEquals("a:good", trips.submit("a", "good").get());
    }

    @Test
    void aRoundTripAnsweringTooFewFailsItsRequests() {
        RoundTrips<String, String, String> trips = new RoundTrips<>((peer, requests) -> List.of(), Runnable::run);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> trips.submit("a", "x").get());
        assertEquals("0 answers to 1 requests", failed.getCause().getMessage());
    }

    @Test
    void manyCallersAtOnceAllGetTheirAnswersInFewerRoundTrips() {
        RoundTrips<String, Integer, Integer> trips = new RoundTrips<>((peer, requests) -> {
            sent.add(peer + " " + requests.size());
            return requests.stream().map(r -> r * 2).toList();
        }, pool);
        List<CompletableFuture<Integer>> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(trips.submit("a", i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < 200; i++) {
            assertEquals(2 * i, answers.get(i).join());
        }
        assertTrue(sent.size() < 200, "batched: " + sent.size() + " round trips");
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
