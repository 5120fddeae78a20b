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
    DELIVERY_FAILED(Severity.CRITICAL, "destination failed, dead-lettered", null);

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

    /** As it appears in messages and the generic webhook document: {@code master-down}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
