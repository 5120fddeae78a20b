package dev.sentinelrelay.destinations;

/** What a destination task writes, decided when its turn comes and again after its read-back. */
public enum Write {
    /** In step: nothing. */
    NONE,
    /**
     * HAProxy only: in step, but never written to since start-up. The routing is rewritten without the session cuts,
     * which changes nothing on an HAProxy that holds it, and proves that the socket accepts writes. A socket without
     * {@code level admin} reads fine and would only fail at the first failover. It also runs the write path once
     * before a failover needs it fast.
     */
    CHECK,
    /** Not in step, or not read back: everything the routing needs. */
    FULL
}
