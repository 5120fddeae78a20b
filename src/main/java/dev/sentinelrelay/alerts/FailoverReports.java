package dev.sentinelrelay.alerts;

import dev.sentinelrelay.resolve.Decision;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.time.Duration;
import java.util.List;

/**
 * Gathers a failover's report (the aggregator of routes/70-alerts.yaml, one group per master and new master): the
 * failover decided starts the group, each destination's outcome for that routing is added to it, and the group
 * completes once every destination has reported ({@link #complete}) or at the deadline. An outcome no failover waits
 * for (a reconcile, a fence) makes a group of its own that completes at once and is dropped. A failover back to a
 * master whose report still waits (flapping within the deadline) joins that report.
 */
public final class FailoverReports implements AggregationStrategy {

    /** How long a failover's report waits for every destination's outcome. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private final List<String> destinations;
    private final Duration deadline;

    /**
     * @param destinations every destination a report waits for (HAProxy endpoint ids, "consul")
     * @param deadline     the aggregator's completion timeout, for the report's words
     */
    public FailoverReports(List<String> destinations, Duration deadline) {
        this.destinations = List.copyOf(destinations);
        this.deadline = deadline;
    }

    @Override
    public Exchange aggregate(Exchange group, Exchange next) {
        Object body = next.getMessage().getBody();
        if (group == null) {
            if (body instanceof Decision decision) {
                next.getMessage().setBody(new Failover(decision, destinations, deadline));
            }
            return next;
        }
        if (group.getMessage().getBody() instanceof Failover f && body instanceof DestinationOutcome outcome) {
            f.record(outcome);
        }
        return group;
    }

    /** The group's completion: every destination reported, or no failover waits. */
    public boolean complete(Object body) {
        return !(body instanceof Failover f) || f.settled();
    }
}
