package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

/**
 * One trigger decided: what the destinations must hold, and what the alerts need to know about it.
 *
 * @param routing  what every destination must hold
 * @param verdict  the verification it rests on; null when no sentinel was asked (a fence, a copy of a verified event)
 * @param previous the master verified before this one (null at start-up, or when nothing was verified)
 */
public record Decision(Routing routing, Verdict verdict, HostPort previous) {

    /** Decided without asking the sentinels. */
    public static Decision of(Routing routing) {
        return new Decision(routing, null, null);
    }

    /** A master verified that is not the one verified before: a failover, reported once its destinations settle. */
    public boolean failover() {
        return verdict != null && routing.changes() && !routing.fenced() && previous != null
                && !previous.equals(routing.master());
    }
}
