package dev.sentinelrelay.destinations;

import dev.sentinelrelay.resolve.Routing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The dead letter of a routing a destination could not apply after its retries, the same for every destination. */
public final class RoutingFailure {

    private RoutingFailure() {
    }

    /** The master, the destination's place ({@code service -> ...}; none for HAProxy), what it wanted, why it failed. */
    public static Map<String, String> details(Routing routing, Map<String, String> place, String reason) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("master", routing.name());
        details.putAll(place);
        details.put("wanted", routing.holding());
        details.put("trigger", String.valueOf(routing.trigger()));
        details.put("reason", reason);
        return details;
    }
}
