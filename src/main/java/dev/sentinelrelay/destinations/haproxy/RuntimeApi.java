package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * Sends runtime API lines, batching lines for the same HAProxy: a line sent while another round trip to that
 * HAProxy is in flight waits for it, and every line that waited goes out in the next round trip as one
 * {@code ;}-separated line (a whole rack failing over costs a few round trips per HAProxy, not one per master).
 * A line sent while nothing is in flight goes out at once, so batching never adds latency. HAProxy answers each
 * command in turn; each caller gets back the answers to its own commands, checked: a refused command fails the
 * call like a failed round trip, so the route's retries send the line again.
 */
public final class RuntimeApi {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeApi.class);

    /** One round trip: sends a line, returns the whole reply (camel-netty in the relay). */
    private final BiFunction<HaproxyEndpoint, String, String> roundTrip;
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();

    private record Waiting(String line, CompletableFuture<String> reply) {
    }

    /** The lines waiting for one HAProxy, and whether a round trip to it is in flight. */
    private static final class Batch {
        final List<Waiting> waiting = new ArrayList<>();
        boolean inFlight;
    }

    public RuntimeApi(BiFunction<HaproxyEndpoint, String, String> roundTrip) {
        this.roundTrip = roundTrip;
    }

    /**
     * Sends {@code line} (one or more commands, ending in a newline) and returns the answers to its commands;
     * throws {@link HaproxyReplyException} naming the first command HAProxy did not accept.
     */
    public String send(HaproxyEndpoint endpoint, String line) {
        return ReplyChecker.check(line, answers(endpoint, line));
    }

    /** Sends {@code line} and returns the answers to its commands, unchecked. */
    String answers(HaproxyEndpoint endpoint, String line) {
        Batch batch = batches.computeIfAbsent(endpoint.id(), id -> new Batch());
        Waiting mine = new Waiting(line, new CompletableFuture<>());
        boolean sender;
        synchronized (batch) {
            batch.waiting.add(mine);
            sender = !batch.inFlight;
            batch.inFlight = true;
        }
        if (sender) {
            drain(endpoint, batch);
        }
        try {
            return mine.reply().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + endpoint.id(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Sends whatever waits, in round trips, until nothing does. */
    private void drain(HaproxyEndpoint endpoint, Batch batch) {
        while (true) {
            List<Waiting> lines;
            synchronized (batch) {
                if (batch.waiting.isEmpty()) {
                    batch.inFlight = false;
                    return;
                }
                lines = List.copyOf(batch.waiting);
                batch.waiting.clear();
            }
            try {
                long start = System.nanoTime();
                String reply = roundTrip.apply(endpoint, join(lines));
                // where a failover's time goes: this round trip as the relay sees it
                LOG.debug("runtime API round trip to {}: {} line(s) in {} us", endpoint.id(), lines.size(),
                        (System.nanoTime() - start) / 1000);
                distribute(lines, reply);
            } catch (RuntimeException e) {
                lines.forEach(w -> w.reply().completeExceptionally(e));
            }
        }
    }

    private static String join(List<Waiting> lines) {
        return RuntimeCommands.line(lines.stream().map(w -> w.line().strip()).toList());
    }

    /** Hands each line the answers to its own commands, as a reply of its own. */
    private static void distribute(List<Waiting> lines, String reply) {
        List<List<String>> answers = ReplyChecker.answers(reply == null ? "" : reply);
        int next = 0;
        for (Waiting w : lines) {
            int commands = ReplyChecker.commands(w.line()).length;
            StringBuilder own = new StringBuilder();
            for (int i = 0; i < commands && next < answers.size(); i++, next++) {
                answers.get(next).forEach(l -> own.append(l).append('\n'));
                own.append('\n');
            }
            w.reply().complete(own.toString());
        }
    }
}
