package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeApiTest {

    private static final HaproxyEndpoint ONE = HaproxyEndpoint.parse("haproxy-1", "tcp:127.0.0.1:9999");
    private static final HaproxyEndpoint TWO = HaproxyEndpoint.parse("haproxy-2", "tcp:127.0.0.1:9998");
    private static final String FENCE_A = "set server a/s state maint; shutdown sessions server a/s\n";
    private static final String FENCE_B = "set server b/s state maint; shutdown sessions server b/s\n";
    private static final String SHOW_C = "show servers state c\n";

    /** Sent lines; every command answered with an empty line, except "show" which answers "1". */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdFirst;

    private final RuntimeApi api = new RuntimeApi((endpoint, line) -> {
        sent.add(endpoint.id() + ": " + line);
        if (holdFirst && sent.size() == 1) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> release.getCount() == 0);
        }
        StringBuilder reply = new StringBuilder();
        for (String command : ReplyChecker.commands(line)) {
            reply.append(command.startsWith("show") ? "1\n\n" : "\n");
        }
        return reply.toString();
    });

    @Test
    void aLineSentWhileNothingIsInFlightGoesOutAlone() {
        assertEquals("\n\n", api.send(ONE, FENCE_A));
        assertEquals(List.of("haproxy-1: " + FENCE_A), sent);
    }

    @Test
    void linesWaitingForTheSameHaproxyGoOutTogetherAndEachGetsItsOwnAnswers() throws Exception {
        holdFirst = true;
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> api.send(ONE, FENCE_A));
        await().atMost(10, TimeUnit.SECONDS).until(() -> sent.size() == 1);
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletableFuture<String> third = new CompletableFuture<>();
        Thread secondSender = sender(() -> second.complete(api.send(ONE, SHOW_C)));
        Thread thirdSender = sender(() -> third.complete(api.send(ONE, FENCE_B)));
        // both lines queued behind the first: each sender parks on its own answer
        await().atMost(10, TimeUnit.SECONDS).until(() -> parked(secondSender) && parked(thirdSender));
        release.countDown();

        assertEquals("\n\n", first.get(10, TimeUnit.SECONDS));
        String showAnswer = second.get(10, TimeUnit.SECONDS);
        String fenceAnswer = third.get(10, TimeUnit.SECONDS);
        assertEquals("1\n\n", showAnswer);
        assertEquals("\n\n", fenceAnswer);
        assertEquals(2, sent.size(), "one round trip for the first line, one for the two that waited: " + sent);
        String batched = sent.get(1);
        assertTrue(batched.equals("haproxy-1: show servers state c; " + FENCE_B)
                || batched.equals("haproxy-1: " + FENCE_B.strip() + "; " + SHOW_C), batched);
        ReplyChecker.check(SHOW_C, showAnswer);
        ReplyChecker.check(FENCE_B, fenceAnswer);
    }

    @Test
    void differentHaproxiesDoNotWaitForEachOther() throws Exception {
        holdFirst = true;
        CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> api.send(ONE, FENCE_A));
        await().atMost(10, TimeUnit.SECONDS).until(() -> sent.size() == 1);

        assertEquals("\n\n", api.send(TWO, FENCE_B), "haproxy-2 answered while haproxy-1's round trip is held");
        release.countDown();
        assertEquals("\n\n", held.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailedRoundTripFailsEveryLineInIt() {
        RuntimeApi down = new RuntimeApi((endpoint, line) -> {
            throw new IllegalStateException("Cannot connect to 127.0.0.1:9999");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> down.send(ONE, FENCE_A));
        assertEquals("Cannot connect to 127.0.0.1:9999", e.getMessage());
    }

    @Test
    void aReplyCutShortLeavesTheLastLinesWithoutAnswersForTheCheckerToRefuse() {
        RuntimeApi cut = new RuntimeApi((endpoint, line) -> "\n");
        HaproxyReplyException e = assertThrows(HaproxyReplyException.class, () -> cut.send(ONE, FENCE_A));
        assertEquals("HAProxy refused 'shutdown sessions server a/s': no answer", e.getMessage());
    }

    private static Thread sender(Runnable send) {
        Thread thread = new Thread(send);
        thread.start();
        return thread;
    }

    private static boolean parked(Thread thread) {
        return thread.getState() == Thread.State.WAITING;
    }
}
