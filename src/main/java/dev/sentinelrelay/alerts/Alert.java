package dev.sentinelrelay.alerts;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One thing an operator must know about.
 *
 * @param master  the master it concerns; null for relay-wide alerts (a sentinel in TILT, the majority)
 * @param time    ISO-8601 instant it was raised
 * @param summary one line saying what happened and what the relay did
 * @param details the facts behind it (addresses, sentinels, destinations, timings), in order
 * @param key     alerts with the same key are the same alert: sent once within {@code relay.alerts.repeat-after}
 * @param closes  the key of an earlier alert this one settles (a recovery, a failover away from a down master);
 *                null for none
 */
public record Alert(String id, AlertKind kind, String master, String time, String summary, Map<String, String> details,
                    String key, String closes) {

    public static Alert of(AlertKind kind, String master, String summary, Map<String, String> details, String key,
                           String closes) {
        return new Alert(UUID.randomUUID().toString(), kind, master, Instant.now().toString(), summary,
                Collections.unmodifiableMap(new LinkedHashMap<>(details)), key, closes);
    }

    @Override
    public String toString() {
        return kind.id() + (master == null ? "" : " " + master) + ": " + summary;
    }
}
