package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Asks every followed sentinel (as followed when asked) the same question in parallel and stops waiting as soon as the answers heard are
 * enough (a slow sentinel must not slow a failover down), or when the timeout is up. Used for verification, the
 * fencing query and replica lookups.
 */
public final class SentinelQuorum {

    private final Supplier<List<HostPort>> sentinels;
    private final long timeoutNanos;
    private final ExecutorService pool;

    /**
     * @param sentinels the sentinels followed now (FollowedSentinels::addresses)
     * @param pool      runs the questions; its owner shuts it down
     */
    public SentinelQuorum(Supplier<List<HostPort>> sentinels, Duration timeout, ExecutorService pool) {
        this.sentinels = sentinels;
        this.timeoutNanos = timeout.toNanos();
        this.pool = pool;
    }

    /**
     * True when a strict majority of the sentinels followed now answers true (not of those that answered: silence is
     * not consent); stops asking once it does.
     */
    public boolean majoritySays(Predicate<HostPort> question) {
        List<HostPort> asked = sentinels.get();
        int majority = asked.size() / 2 + 1;
        Predicate<List<Boolean>> majoritySaidYes =
                heard -> heard.stream().filter(Boolean::booleanValue).count() >= majority;
        return majoritySaidYes.test(ask(asked, question::test, majoritySaidYes));
    }

    /** Asks every sentinel followed now in parallel; returns the answers heard until {@code enough} holds or the timeout is up. */
    public <T> List<T> ask(Function<HostPort, T> question, Predicate<List<T>> enough) {
        return ask(sentinels.get(), question, enough);
    }

    /** Asks these sentinels in parallel; returns the answers heard until {@code enough} holds or the timeout is up. */
    public <T> List<T> ask(List<HostPort> sentinels, Function<HostPort, T> question, Predicate<List<T>> enough) {
        return await(sentinels.stream().map(s -> CompletableFuture.supplyAsync(() -> question.apply(s), pool)).toList(),
                enough);
    }

    /** The answers to questions already asked, as they come, until {@code enough} holds or the timeout is up. */
    public <T> List<T> await(List<CompletableFuture<T>> questions, Predicate<List<T>> enough) {
        BlockingQueue<CompletableFuture<T>> answered = new LinkedBlockingQueue<>();
        questions.forEach(q -> q.whenComplete((answer, failure) -> answered.add(q)));
        List<T> heard = new ArrayList<>();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (heard.size() < questions.size()) {
                CompletableFuture<T> answer = answered.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (answer == null) {
                    break;
                }
                heard.add(answer.get());
                if (enough.test(heard)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("asking a sentinel failed unexpectedly", e.getCause());
        }
        questions.forEach(q -> q.cancel(false));
        return heard;
    }
}
