package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.resolve.Routing;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.AggregateController;
import org.apache.camel.processor.aggregate.DefaultAggregateController;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gathers a failover's report (the aggregator of routes/70-alerts.yaml, one group per master and new master): the
 * failover decided starts the group, each destination's outcome for that routing is added to it, and the group
 * completes once every destination has reported ({@link #complete}) or at the deadline. A newer failover of the same
 * master sends the report still waiting at once, as it stands ({@link #supersede}). An outcome no failover waits for
 * (a reconcile, a fence) makes a group of its own that completes at once and is dropped.
 */
public final class FailoverReports implements AggregationStrategy {

    /** How long a failover's report waits for every destination's outcome. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private final List<String> destinations;
    private final Duration deadline;
    /** The aggregator's control (its aggregateController): completes a superseded report. */
    private final AggregateController control = new DefaultAggregateController();
    /** master -> the group of its report waiting, if any. */
    private final Map<String, String> waiting = new ConcurrentHashMap<>();

    /**
     * @param destinations every destination a report waits for (HAProxy endpoint ids, "consul")
     * @param deadline     the aggregator's completion timeout, for the report's words
     */
    public FailoverReports(List<String> destinations, Duration deadline) {
        this.destinations = List.copyOf(destinations);
        this.deadline = deadline;
    }

    public AggregateController control() {
        return control;
    }

    /** The group a decision or an outcome belongs to: its master and the master it routes to. */
    public String group(Object body) {
        Routing routing = body instanceof Decision d ? d.routing() : ((DestinationOutcome) body).routing();
        return group(routing.name(), routing.master());
    }

    private static String group(String master, HostPort to) {
        return master + "/" + to;
    }

    /** Before a failover enters the aggregator: the report still waiting for its master goes out as it stands. */
    public void supersede(Decision decision) {
        String previous = waiting.get(decision.routing().name());
        if (previous != null && !previous.equals(group(decision))) {
            control.forceCompletionOfGroup(previous);
        }
    }

    @Override
    public Exchange aggregate(Exchange group, Exchange next) {
        Object body = next.getMessage().getBody();
        if (group == null) {
            if (body instanceof Decision decision) {
                next.getMessage().setBody(new Failover(decision, destinations, deadline));
                waiting.put(decision.routing().name(), group(decision));
            }
            return next;
        }
        if (group.getMessage().getBody() instanceof Failover f && body instanceof DestinationOutcome outcome) {
            f.record(outcome);
        }
        return group;
    }

    /** However it completed: its master has no report waiting any more. */
    @Override
    public void onCompletion(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof Failover f) {
            waiting.remove(f.name(), group(f.name(), f.now()));
        }
    }

    /** The group's completion: every destination reported, or no failover waits. */
    public boolean complete(Object body) {
        return !(body instanceof Failover f) || f.settled();
    }
}
