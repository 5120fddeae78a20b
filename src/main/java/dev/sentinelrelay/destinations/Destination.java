package dev.sentinelrelay.destinations;

import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.resolve.Routing;

import java.util.List;

/**
 * What one kind of destination knows, for the pipeline that every destination runs (routes/35-destination.yaml):
 * which tasks a routing gives, what to read back, whether the read-back is in step, what to write and what happened.
 * The pipeline does the rest: newest wins per key, the read-back round trip, the leader-only write, the retries of
 * the destination's own policy, the report of each outcome.
 *
 * @param <T> the destination's task
 */
public interface Destination<T extends DestinationTask> {

    /** The tasks a routing gives: one per queue and key; none when the destination does not take it. */
    List<T> tasks(Routing routing);

    /** When the task's turn comes: null when the place is known to hold the routing; else the task to run. */
    T prepare(T task);

    /** The request whose answer says what the place holds. */
    Object readBackRequest(T task);

    /** From the read-back's answer: the task with what to write ({@link Write#NONE} when in step). */
    T afterReadBack(T task, Object answer);

    /** The request that brings the place to the routing. */
    Object writeRequest(T task);

    /** After the write: records what the place holds now. */
    void applied(T task);

    /**
     * After the last retry, first: what the dead-letter store keeps of the failure (the pipeline stores it before
     * anything is logged, and alerts it); null when the destination keeps none (its next evaluation redoes it).
     */
    default DeadLetter deadLetter(T task, Exception cause) {
        return null;
    }

    /** After the last retry, once the dead letter is kept: records and logs the failure; returns the reason. */
    String failed(T task, Exception cause);

    /** After each task, whatever its outcome (HAProxy: the master counts as reconciled once every endpoint is). */
    default void settled(T task) {
    }
}
