package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentinelQuorumTest {

    private static final HostPort S1 = new HostPort("127.0.0.1", 26379);
    private static final HostPort S2 = new HostPort("127.0.0.1", 26380);
    private static final HostPort S3 = new HostPort("127.0.0.1", 26381);

    private final ExecutorService pool = Executors.newCachedThreadPool();
    /** Released after each test: the answer of a sentinel that never answers in time. */
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void stop() {
        never.countDown();
        pool.shutdownNow();
    }

    private SentinelQuorum quorum(Duration timeout) {
        return new SentinelQuorum(() -> List.of(S1, S2, S3), timeout, pool);
    }

    private boolean hang() {
        try {
            never.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Test
    void oneSentinelIsItsOwnMajority() {
        assertTrue(new SentinelQuorum(() -> List.of(S1), Duration.ofSeconds(1), pool).majoritySays(sentinel -> true));
    }

    @Test
    void stopsWaitingOnceAMajoritySaysYesWithoutTheSlowSentinel() {
        long start = System.nanoTime();
        Predicate<HostPort> question = sentinel -> sentinel.equals(S3) ? hang() : true;
        assertTrue(quorum(Duration.ofSeconds(30)).majoritySays(question));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "did not wait for the timeout");
    }

    @Test
    void oneYesIsNotAMajority() {
        assertFalse(quorum(Duration.ofSeconds(5)).majoritySays(sentinel -> sentinel.equals(S1)));
    }

    @Test
    void silenceIsNotConsent() {
        Predicate<HostPort> question = sentinel -> sentinel.equals(S1) || hang();
        assertFalse(quorum(Duration.ofMillis(200)).majoritySays(question));
    }

    @Test
    void returnsTheAnswersHeardUntilEnoughOrTheTimeout() {
        List<String> heard = quorum(Duration.ofMillis(200)).ask(
                sentinel -> sentinel.equals(S3) && hang() ? "late" : sentinel.toString(), answers -> false);
        assertEquals(2, heard.size(), "the hanging sentinel is not waited for beyond the timeout: " + heard);
        assertTrue(heard.containsAll(List.of(S1.toString(), S2.toString())), heard.toString());

        List<String> first = quorum(Duration.ofSeconds(5)).ask(HostPort::toString, answers -> !answers.isEmpty());
        assertEquals(1, first.size(), "stops at the first answer when one is enough");
    }
}
