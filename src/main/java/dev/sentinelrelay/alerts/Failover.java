package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Vote;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A verified failover whose report gathers every destination's outcome ({@link FailoverReports}), filled on the
 * aggregator's thread only.
 */
public final class Failover {

    private final String name;
    private final HostPort old;
    private final HostPort now;
    private final String agreeing;
    private final Trigger trigger;
    private final List<String> destinations;
    private final Duration deadline;
    private final Map<String, String> results = new LinkedHashMap<>();

    Failover(Decision decision, List<String> destinations, Duration deadline) {
        this.name = decision.routing().name();
        this.old = decision.previous();
        this.now = decision.routing().master();
        this.agreeing = decision.verdict().votes().stream().filter(v -> now.equals(v.master()))
                .map(Vote::sentinel).collect(Collectors.joining(", "));
        this.trigger = decision.verdict().trigger();
        this.destinations = destinations;
        this.deadline = deadline;
    }

    /** An outcome of this failover's routing (another master, a fence, an older routing: not this failover's). */
    void record(DestinationOutcome outcome) {
        if (outcome.routing().fenced() || !now.equals(outcome.routing().master()) || !destinations.contains(outcome.destination())) {
            return;
        }
        double millis = (outcome.atNanos() - trigger.receivedNanos()) / 1e6;
        String after = trigger.type() != null ? trigger.type() : trigger.promoted() != null ? "the promotion" : "reconcile";
        results.put(outcome.destination(), outcome.failure() == null
                ? String.format("updated %.1f ms after %s", millis, after) : "FAILED: " + outcome.failure());
    }

    /** Every destination has reported. */
    boolean settled() {
        return results.keySet().containsAll(destinations);
    }

    /** Each destination's outcome, in the order configured; those that did not report within the deadline so. */
    Map<String, String> results() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String d : destinations) {
            out.put(d, results.getOrDefault(d, "not confirmed within " + deadline.toSeconds() + " s"));
        }
        return out;
    }

    long updated() {
        return results.values().stream().filter(r -> r.startsWith("updated")).count();
    }

    String name() {
        return name;
    }

    HostPort old() {
        return old;
    }

    HostPort now() {
        return now;
    }

    String agreeing() {
        return agreeing;
    }

    Trigger trigger() {
        return trigger;
    }

    List<String> destinations() {
        return destinations;
    }
}
