package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;

/**
 * Bring one HAProxy endpoint in step with one master's routing.
 *
 * @param readBack read what HAProxy holds first (reconcile, or the relay does not know) instead of writing blindly
 */
public record HaproxyTask(HaproxyEndpoint endpoint, ModePlan plan, Routing routing, boolean readBack) {

    public String readBackCommand() {
        return RuntimeCommands.line(plan.readBack());
    }

    /** Identifies the entry across tasks: one endpoint, one master. */
    public String key() {
        return keyOf(endpoint, routing.name());
    }

    static String keyOf(HaproxyEndpoint endpoint, String master) {
        return endpoint.id() + "/" + master;
    }

    @Override
    public String toString() {
        return endpoint.id() + " (" + endpoint + ") for " + routing.name();
    }
}
