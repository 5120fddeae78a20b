package dev.sentinelrelay.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * Requests to one peer that arrive while a round trip to that peer is in flight wait, and go out together in the
 * next one: a burst (a rack of masters failing over at once) costs a few round trips per peer, not one per request,
 * and a lone request goes out at once, so batching never adds a round trip. One round trip per peer at a time.
 *
 * @param <P> the peer (an HAProxy endpoint, a sentinel)
 * @param <Q> a request
 * @param <A> its answer
 */
public final class RoundTrips<P, Q, A> {

    /** Sends requests to a peer in one round trip; returns one answer per request, in order. */
    private final BiFunction<P, List<Q>, List<A>> roundTrip;
    /** Runs a peer's round trips: the caller's own thread ({@code Runnable::run}) or a pool. */
    private final Executor sender;
    private final Map<P, Peer<Q, A>> peers = new ConcurrentHashMap<>();

    private record Waiting<Q, A>(Q request, CompletableFuture<A> answer) {
    }

    /** The requests waiting for one peer, and whether a round trip to it is in flight. */
    private static final class Peer<Q, A> {
        final List<Waiting<Q, A>> waiting = new ArrayList<>();
        boolean inFlight;
    }

    /**
     * @param roundTrip sends the requests to the peer in one round trip and returns an answer for each, in order; a
     *                  failure fails every request of that round trip
     * @param sender    runs the round trips: {@code Runnable::run} sends on the thread of the request that finds
     *                  nothing in flight (its answer is complete when {@link #submit} returns); a pool sends on its
     *                  own threads, one per peer with a round trip in flight
     */
    public RoundTrips(BiFunction<P, List<Q>, List<A>> roundTrip, Executor sender) {
        this.roundTrip = roundTrip;
        this.sender = sender;
    }

    /** The answer to {@code request}, once its round trip is back. */
    public CompletableFuture<A> submit(P peer, Q request) {
        Peer<Q, A> p = peers.computeIfAbsent(peer, k -> new Peer<>());
        Waiting<Q, A> mine = new Waiting<>(request, new CompletableFuture<>());
        boolean send;
        synchronized (p) {
            p.waiting.add(mine);
            send = !p.inFlight;
            p.inFlight = true;
        }
        if (send) {
            sender.execute(() -> drain(peer, p));
        }
        return mine.answer();
    }

    /** Sends whatever waits for the peer, a round trip at a time, until nothing does. */
    private void drain(P peer, Peer<Q, A> p) {
        while (true) {
            List<Waiting<Q, A>> batch;
            synchronized (p) {
                if (p.waiting.isEmpty()) {
                    p.inFlight = false;
                    return;
                }
                batch = List.copyOf(p.waiting);
                p.waiting.clear();
            }
            try {
                List<A> answers = roundTrip.apply(peer, batch.stream().map(Waiting::request).toList());
                if (answers.size() != batch.size()) {
                    throw new IllegalStateException(answers.size() + " answers to " + batch.size() + " requests");
                }
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).answer().complete(answers.get(i));
                }
            } catch (RuntimeException e) {
                batch.forEach(w -> w.answer().completeExceptionally(e));
            }
        }
    }
}
