package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

import java.util.Map;

/**
 * What the relay decided and what its destinations did, for whoever reports it (alerts). Called on the relay's
 * working threads: implementations only record or queue, never block.
 */
public interface RelayObserver {

    RelayObserver NONE = new RelayObserver() {
    };

    /** A master was verified; {@code previous} is the master verified before it (null at start-up). */
    default void verified(Verdict verdict, HostPort previous) {
    }

    /** Verification refused any change; {@code current} is the last verified master (null if none yet). */
    default void refused(Verdict verdict, HostPort current) {
    }

    /** How many sentinels answered the last verification. */
    default void sentinelsAnswered(long reachable, int majority) {
    }

    /** A destination (an HAProxy endpoint, Consul) holds the routing now, or failed after its retries. */
    default void destinationSettled(String destination, Routing routing, String failure) {
    }

    /** Something was written to the dead-letter store. */
    default void deadLettered(String destination, Map<String, String> details) {
    }
}
