package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig.Severity;

import java.util.Locale;

/** What an alert is about, with its severity; a resolve closes the alert its {@link #resolves} names. */
public enum AlertKind {
    MASTER_DOWN(Severity.CRITICAL, "master down", null),
    MASTER_RECOVERED(Severity.INFO, "master recovered", MASTER_DOWN),
    FAILOVER(Severity.WARNING, "failover completed", null),
    CHANGE_REFUSED(Severity.WARNING, "change refused", null),
    SENTINEL_TILT(Severity.WARNING, "sentinel in TILT mode", null),
    MAJORITY_LOST(Severity.CRITICAL, "sentinel majority lost", null),
    MAJORITY_REGAINED(Severity.INFO, "sentinel majority regained", MAJORITY_LOST),
    DELIVERY_FAILED(Severity.CRITICAL, "destination failed, dead-lettered", null),
    SENTINEL_FOLLOWED(Severity.INFO, "discovered sentinel followed", null),
    SENTINEL_FORGOTTEN(Severity.INFO, "discovered sentinel forgotten", null),
    LEADER_CHANGED(Severity.INFO, "relay leader changed", null),
    COORDINATION_LOST(Severity.CRITICAL, "relay cut off from ZooKeeper", null),
    COORDINATION_RESTORED(Severity.INFO, "relay connected to ZooKeeper again", COORDINATION_LOST);

    public final Severity severity;
    public final String title;
    /** The kind this one resolves; null when it is not a resolve. */
    public final AlertKind resolves;

    AlertKind(Severity severity, String title, AlertKind resolves) {
        this.severity = severity;
        this.title = title;
        this.resolves = resolves;
    }

    public boolean resolve() {
        return resolves != null;
    }

    /** True for a kind that a later alert resolves (the alert stays open until then). */
    public boolean opens() {
        for (AlertKind k : values()) {
            if (k.resolves == this) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for the alerts about this relay's own link to ZooKeeper: the relay that raised them delivers them itself,
     * leader or not, since no relay leads (or this one cannot know) while they are open. Every relay cut off sends its
     * own, so duplicates across relays are accepted for these; every other alert goes out from the leader only.
     */
    public boolean deliveredByRaiser() {
        return this == COORDINATION_LOST || this == COORDINATION_RESTORED;
    }

    /** As it appears in messages and the generic webhook document: {@code master-down}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
