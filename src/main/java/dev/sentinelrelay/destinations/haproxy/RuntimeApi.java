package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.support.RoundTrips;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * Sends runtime API lines, batching lines for the same HAProxy ({@link RoundTrips}): a line sent while another round
 * trip to that HAProxy is in flight waits for it, and every line that waited goes out in the next round trip as one
 * {@code ;}-separated line (a whole rack failing over costs a few round trips per HAProxy, not one per master), sent
 * by the first of their threads. HAProxy answers each command in turn; each caller gets back the answers to its own
 * commands, checked: a refused command fails the call like a failed round trip, so the route's retries send the
 * line again.
 */
public final class RuntimeApi {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeApi.class);

    private final RoundTrips<HaproxyEndpoint, String, String> roundTrips;

    /** @param roundTrip one round trip: sends a line, returns the whole reply (route haproxy-round-trip in the relay) */
    public RuntimeApi(BiFunction<HaproxyEndpoint, String, String> roundTrip) {
        this.roundTrips = new RoundTrips<>((endpoint, lines) -> {
            long start = System.nanoTime();
            String reply = roundTrip.apply(endpoint, RuntimeCommands.line(lines.stream().map(String::strip).toList()));
            // where a failover's time goes: this round trip as the relay sees it
            LOG.debug("runtime API round trip to {}: {} line(s) in {} us", endpoint.id(), lines.size(),
                    (System.nanoTime() - start) / 1000);
            return distribute(lines, reply);
        }, Runnable::run);
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
        try {
            return roundTrips.submit(endpoint, line).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + endpoint.id(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Each line's own answers, as a reply of its own. */
    private static List<String> distribute(List<String> lines, String reply) {
        List<List<String>> answers = ReplyChecker.answers(reply == null ? "" : reply);
        List<String> replies = new ArrayList<>();
        int next = 0;
        for (String line : lines) {
            int commands = ReplyChecker.commands(line).length;
            StringBuilder own = new StringBuilder();
            for (int i = 0; i < commands && next < answers.size(); i++, next++) {
                answers.get(next).forEach(l -> own.append(l).append('\n'));
                own.append('\n');
            }
            replies.add(own.toString());
        }
        return replies;
    }
}
