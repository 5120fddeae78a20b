package dev.sentinelrelay.alerts;

import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.resolve.Routing;

/**
 * A destination wrote a routing, or failed to after its retries: what a failover's report waits for (sent to the
 * aggregator of routes/70-alerts.yaml by the pipeline, routes/35-destination.yaml).
 *
 * @param failure   why it failed; null when written
 * @param atNanos   when ({@link System#nanoTime()}): the report says how long after the trigger
 */
public record DestinationOutcome(String destination, Routing routing, String failure, long atNanos) {

    public static DestinationOutcome applied(DestinationTask task) {
        return new DestinationOutcome(task.destination(), task.routing(), null, System.nanoTime());
    }

    public static DestinationOutcome failed(DestinationTask task, String reason) {
        return new DestinationOutcome(task.destination(), task.routing(), reason, System.nanoTime());
    }
}
