package dev.sentinelrelay.resolve;

import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.configuration.HostPort;

/**
 * A reason to verify one master now: a Sentinel event (a hint, never a command), a reconcile, or a verified
 * promotion seen by the relay itself.
 *
 * @param master        the master to verify
 * @param event         the event that triggered it; null otherwise
 * @param promoted      a server of the group that the relay saw answer ROLE master while a failover was under way
 * @param readBack      read back what each destination holds instead of trusting what the relay last wrote
 * @param receivedNanos {@link System#nanoTime()} when the trigger arose, for propagation timings
 */
public record Trigger(String master, SentinelEvent event, HostPort promoted, boolean readBack, long receivedNanos) {

    public static Trigger of(SentinelEvent event) {
        return new Trigger(event.master(), event, null, false, System.nanoTime());
    }

    public static Trigger reconcile(String master) {
        return new Trigger(master, null, null, true, System.nanoTime());
    }

    public static Trigger promotion(String master, HostPort promoted) {
        return new Trigger(master, null, promoted, false, System.nanoTime());
    }

    /** The event's type, or null when the trigger is not an event. */
    public String type() {
        return event == null ? null : event.type();
    }

    @Override
    public String toString() {
        if (event != null) {
            return event.toString();
        }
        return promoted != null ? promoted + " promoted for " + master : "reconcile " + master;
    }
}
