package dev.sentinelrelay.destinations;

import dev.sentinelrelay.resolve.Routing;

/** A task at a destination by name, for the tests of what a ledger records. */
public record PlaceTask(String destination, Routing routing) implements DestinationTask {

    @Override
    public String queue() {
        return destination;
    }

    @Override
    public String key() {
        return destination + "/" + routing.name();
    }

    @Override
    public boolean readBack() {
        return false;
    }

    @Override
    public Write write() {
        return Write.FULL;
    }
}
