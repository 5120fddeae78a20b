package dev.sentinelrelay.sentinel;

/**
 * A reason to verify one master now: a Sentinel event (a hint, never a command) or a reconcile.
 *
 * @param master       the master to verify
 * @param event        the event that triggered it; null for a reconcile
 * @param receivedNanos {@link System#nanoTime()} when the trigger arose, for propagation timings
 */
public record Trigger(String master, SentinelEvent event, long receivedNanos) {

    public static Trigger of(SentinelEvent event) {
        return new Trigger(event.master(), event, System.nanoTime());
    }

    public static Trigger reconcile(String master) {
        return new Trigger(master, null, System.nanoTime());
    }

    /** A reconcile reads back what each destination holds instead of trusting what the relay last wrote. */
    public boolean isReconcile() {
        return event == null;
    }

    @Override
    public String toString() {
        return isReconcile() ? "reconcile " + master : event.toString();
    }
}
