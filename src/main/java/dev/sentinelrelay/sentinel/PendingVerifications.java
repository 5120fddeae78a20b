package dev.sentinelrelay.sentinel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The {@code +switch-master} events whose promoted server was not (yet) confirmed, each to be verified again after
 * 100, 200, 400, 800, 1600 and 2000 ms (sentinels converge within about two seconds) before it is given up. A retry
 * waits here, not in the master's resolver route: the route goes on with the master's next trigger meanwhile (the
 * copy of the event from the sentinel that converged verifies at once), and the retry comes back to the route's
 * queue when it is due (the verify-retry route in routes/30-resolve.yaml asks every 20 ms).
 */
public final class PendingVerifications {

    static final long FIRST_DELAY_MILLIS = 100;
    static final long LONGEST_DELAY_MILLIS = 2000;
    static final int RETRIES = 6;

    /** How long a retry handed to the route is remembered: one not pending again by then was decided. */
    static final long FORGET_QUEUED_NANOS = 10_000_000_000L;

    /** @param queued handed to the route by {@link #due} (at {@code dueNanos}), waiting to be pending again or not */
    private record Pending(int retried, long dueNanos, boolean queued) {
    }

    private final LongSupplier clock;
    private final Map<Trigger, Pending> pending = new HashMap<>();

    public PendingVerifications(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * The trigger's verification is pending: true when it will be verified again (it comes back from {@link #due}),
     * false when it has been retried {@value #RETRIES} times already and is given up.
     */
    public synchronized boolean retryLater(VerificationPendingException pendingVerification) {
        Trigger trigger = pendingVerification.verdict().trigger();
        Pending before = pending.remove(trigger);
        int retried = before == null ? 0 : before.retried();
        if (retried >= RETRIES) {
            return false;
        }
        long delay = Math.min(FIRST_DELAY_MILLIS << retried, LONGEST_DELAY_MILLIS);
        pending.put(trigger, new Pending(retried + 1, clock.getAsLong() + delay * 1_000_000, false));
        return true;
    }

    /** The triggers due for another verification now, in no particular order; each is returned once. */
    public synchronized List<Trigger> due() {
        long now = clock.getAsLong();
        // a retry handed to the route long ago that did not come back pending was decided: forgotten
        pending.values().removeIf(p -> p.queued() && now - p.dueNanos() > FORGET_QUEUED_NANOS);
        List<Trigger> due = new ArrayList<>();
        pending.forEach((trigger, p) -> {
            if (!p.queued() && now - p.dueNanos() >= 0) {
                due.add(trigger);
            }
        });
        // remembered with its count while it is verified again: pending once more, it is retried later or given up
        due.forEach(t -> pending.put(t, new Pending(pending.get(t).retried(), now, true)));
        return due;
    }

    /** How many events wait for another verification (for the tests). */
    synchronized int size() {
        return pending.size();
    }
}
