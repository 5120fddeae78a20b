package dev.sentinelrelay.destinations;

/** Where the pipeline reports each task's outcome (the API, the metrics, the master's last change). */
public interface DestinationLedger {

    /** Read back in step: nothing would be written. */
    void reportInStep(DestinationTask task);

    /** The place holds the routing now. */
    void reportApplied(DestinationTask task);

    /** A relay that does not write (standby, observing) found the place out of step. */
    void reportWouldChange(DestinationTask task);

    /** Failed after its retries, for {@code reason}. */
    void reportFailed(DestinationTask task, String reason);
}
