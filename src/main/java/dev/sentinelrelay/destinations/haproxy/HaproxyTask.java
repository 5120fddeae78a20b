package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.destinations.Write;

/**
 * Bring one HAProxy endpoint in step with one master's routing.
 *
 * @param readBack read what HAProxy holds first (reconcile, or the relay does not know) instead of writing blindly
 */
public record HaproxyTask(HaproxyEndpoint endpoint, ModePlan plan, Routing routing, boolean readBack, Write write)
        implements DestinationTask {

    @Override
    public String queue() {
        return endpoint.id();
    }

    /** Identifies the entry across tasks: one endpoint, one master. */
    @Override
    public String key() {
        return keyOf(endpoint, routing.name());
    }

    @Override
    public String destination() {
        return endpoint.id();
    }

    HaproxyTask writing(Write what) {
        return new HaproxyTask(endpoint, plan, routing, readBack, what);
    }

    static String keyOf(HaproxyEndpoint endpoint, String master) {
        return endpoint.id() + "/" + master;
    }

    @Override
    public String toString() {
        return endpoint.id() + " (" + endpoint + ") for " + routing.name();
    }
}
