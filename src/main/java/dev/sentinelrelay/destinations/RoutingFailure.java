package dev.sentinelrelay.destinations;

import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.resolve.Routing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The dead letter of a routing a destination could not apply after its retries, the same for every destination. */
public final class RoutingFailure {

    private RoutingFailure() {
    }

    /**
     * To {@code destination}: the master, the destination's place ({@code service -> ...}; none for HAProxy), what
     * it was to hold, the trigger and why not.
     */
    public static DeadLetter deadLetter(String destination, Routing routing, Map<String, String> place, String reason) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("master", routing.name());
        details.putAll(place);
        details.put("wanted", routing.holding());
        details.put("trigger", String.valueOf(routing.trigger()));
        details.put("reason", reason);
        return new DeadLetter(destination, details);
    }
}
