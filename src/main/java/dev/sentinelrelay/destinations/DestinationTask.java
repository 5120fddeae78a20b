package dev.sentinelrelay.destinations;

import dev.sentinelrelay.resolve.Routing;

/** Bring one place of a destination (an HAProxy's entry for a master, Consul's service of a master) to one routing. */
public interface DestinationTask {

    /** The queue (route) that runs the task: the HAProxy endpoint's id, {@code consul}, {@code read-pool-haproxy-1}. */
    String queue();

    /** The place the task writes: one task per key runs at a time, and of those waiting only the newest. */
    String key();

    /** The destination's name in the API, the metrics and the dead letters. */
    String destination();

    Routing routing();

    /** Read what the destination holds before deciding what to write. */
    boolean readBack();

    /** What to write, as known so far. */
    Write write();
}
