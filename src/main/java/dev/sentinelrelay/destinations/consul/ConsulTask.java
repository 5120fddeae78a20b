package dev.sentinelrelay.destinations.consul;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.destinations.Write;

/** Bring Consul's service (and optional KV key) of one master in step with its routing. */
public record ConsulTask(ConsulTarget target, Routing routing, boolean readBack, Write write) implements DestinationTask {

    @Override
    public String queue() {
        return ConsulSync.QUEUE;
    }

    @Override
    public String key() {
        return routing.name();
    }

    @Override
    public String destination() {
        return ConsulSync.DESTINATION;
    }

    /** What the KV key holds while the master is routed: ip:port. */
    public String kvValue() {
        return ConsulRegistration.kvValue(routing.master());
    }

    ConsulTask writing(Write what) {
        return new ConsulTask(target, routing, readBack, what);
    }

    @Override
    public String toString() {
        return "consul service " + target.service() + " for " + routing.name();
    }
}
