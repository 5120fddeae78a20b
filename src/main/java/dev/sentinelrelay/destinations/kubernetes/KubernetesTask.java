package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.destinations.Write;
import dev.sentinelrelay.resolve.Routing;

/** Bring one master's Service and EndpointSlice in step with its routing. */
public record KubernetesTask(KubernetesTarget target, Routing routing, boolean readBack, Write write)
        implements DestinationTask {

    @Override
    public String queue() {
        return KubernetesSync.QUEUE;
    }

    @Override
    public String key() {
        return routing.name();
    }

    @Override
    public String destination() {
        return KubernetesSync.DESTINATION;
    }

    KubernetesTask writing(Write what) {
        return new KubernetesTask(target, routing, readBack, what);
    }

    @Override
    public String toString() {
        return "kubernetes service " + target + " for " + routing.name();
    }
}
