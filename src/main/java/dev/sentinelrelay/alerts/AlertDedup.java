package dev.sentinelrelay.alerts;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Lets an alert through once: the same alert (same key) again within the repeat window is dropped, so three
 * sentinels publishing one {@code +odown}, or a refusal on every reconcile, make one message. A resolve goes out
 * only when the alert it resolves went out and is still open.
 */
public final class AlertDedup {

    private final long repeatAfterNanos;
    private final LongSupplier clock;
    /** key -> when it was last let through */
    private final Map<String, Long> sent = new HashMap<>();
    /** keys of alerts let through and not closed yet */
    private final Set<String> open = new HashSet<>();

    public AlertDedup(Duration repeatAfter, LongSupplier clock) {
        this.repeatAfterNanos = repeatAfter.toNanos();
        this.clock = clock;
    }

    public AlertDedup(Duration repeatAfter) {
        this(repeatAfter, System::nanoTime);
    }

    /** True when the alert goes out; false when it repeats one sent within the window, or resolves nothing open. */
    public synchronized boolean accept(Alert alert) {
        long now = clock.getAsLong();
        sent.values().removeIf(at -> now - at > repeatAfterNanos);
        boolean closedOpen = alert.closes() != null && open.remove(alert.closes());
        if (alert.closes() != null) {
            sent.remove(alert.closes());
        }
        if (alert.kind().resolve() && !closedOpen || sent.containsKey(alert.key())) {
            return false;
        }
        sent.put(alert.key(), now);
        if (alert.kind().opens()) {
            open.add(alert.key());
        }
        return true;
    }
}
