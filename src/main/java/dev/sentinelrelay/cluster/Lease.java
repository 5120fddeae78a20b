package dev.sentinelrelay.cluster;

import java.util.function.LongSupplier;

/**
 * How long the leader may write without asking ZooKeeper again. ZooKeeper expires a session (and so elects another
 * leader) no sooner than the session timeout after it last heard from the relay; a lease of half of it, counted
 * from when the relay asked, ends well before. A relay frozen and resumed finds its lease expired and asks first.
 */
final class Lease {

    private final LongSupplier clock;
    private volatile long lengthNanos;
    /** clock value when the last confirmation was asked for; Long.MIN_VALUE when none holds */
    private volatile long askedAt = Long.MIN_VALUE;

    Lease(long lengthNanos, LongSupplier clock) {
        this.lengthNanos = lengthNanos;
        this.clock = clock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** ZooKeeper confirmed the leadership after being asked at {@code askedAt}. */
    void renew(long askedAt) {
        this.askedAt = askedAt;
    }

    void end() {
        askedAt = Long.MIN_VALUE;
    }

    /** The session timeout ZooKeeper granted may be shorter than asked for: the lease follows it. */
    void length(long nanos) {
        lengthNanos = nanos;
    }

    boolean holds() {
        long at = askedAt;
        return at != Long.MIN_VALUE && now() - at < lengthNanos;
    }
}
