package dev.sentinelrelay.alerts;

import java.util.List;

/**
 * One message waiting for one channel: the alerts grouped into it. Stored in the outbox until the channel accepts
 * it, and in the dead-letter store if it never does.
 *
 * @param id      the group's id (the same for every channel it went to)
 * @param created ISO-8601 instant the group was formed
 */
public record OutboxEntry(String id, String channel, String created, List<Alert> alerts) {

    /**
     * True when its alerts are ones the relay that raised them sends itself, leader or not (coordination-lost/
     * -restored, {@link AlertKind#deliveredByRaiser}); {@link AlertOutbox#store} keeps them apart from the others.
     */
    public boolean deliveredByRaiser() {
        return alerts.stream().allMatch(a -> a.kind().deliveredByRaiser());
    }

    @Override
    public String toString() {
        return "alert message " + id + " for " + channel + " (" + alerts.size() + " alert" + (alerts.size() == 1 ? "" : "s") + ")";
    }
}
