package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

/**
 * What every destination must hold for one master after a trigger: route its clients to {@code master}, route
 * them nowhere because {@code master}'s writes are doomed (fenced), or change nothing.
 *
 * @param master the verified master to route to, or the fenced master; null when nothing may change
 * @param reason why the master is fenced, or why nothing may change; null for a plain route
 */
public record Routing(Trigger trigger, HostPort master, boolean fenced, String reason) {

    public static Routing route(Trigger trigger, HostPort master) {
        return new Routing(trigger, master, false, null);
    }

    public static Routing fence(Trigger trigger, HostPort master, String reason) {
        return new Routing(trigger, master, true, reason);
    }

    public static Routing none(Trigger trigger, String reason) {
        return new Routing(trigger, null, false, reason);
    }

    /** False when the destinations must be left as they are. */
    public boolean changes() {
        return master != null;
    }

    public String name() {
        return trigger.master();
    }

    /** What a destination holds once in step: the master and whether it is fenced. */
    public String holding() {
        return fenced ? "fenced " + master : String.valueOf(master);
    }

    @Override
    public String toString() {
        if (!changes()) {
            return trigger.master() + ": " + reason;
        }
        return trigger.master() + (fenced ? " fenced at " + master + " (" + reason + ")" : " at " + master);
    }
}
