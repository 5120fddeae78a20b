package dev.sentinelrelay.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing an operator must know about.
 *
 * <p>The {@code id} is stable: {@code <kind>-<16 hex digits>}, the digits being the start of the SHA-256 of kind,
 * master and key (the facts that identify the occurrence: the master's address for master-down, the new master for
 * a failover, the refused claim, the sentinel, ...). No random part and no clock: every relay of a cluster that
 * raises the same event computes the same id, which is what the delivered registry in ZooKeeper records per
 * channel ({@link DeliveredAlerts}). The same alert raised again later (after its resolve) has the same id: within
 * {@code relay.alerts.repeat-after} of a delivery the registry counts it as delivered, see {@link AlertDelivery}.
 *
 * @param master  the master it concerns; null for relay-wide alerts (a sentinel in TILT, the majority)
 * @param time    ISO-8601 instant it was raised (this relay's clock; never part of the id)
 * @param summary one line saying what happened and what the relay did
 * @param details the facts behind it (addresses, sentinels, destinations, timings), in order
 * @param key     alerts with the same key are the same alert: sent once within {@code relay.alerts.repeat-after}
 * @param closes  the key of an earlier alert this one settles (a recovery, a failover away from a down master);
 *                null for none
 */
public record Alert(String id, AlertKind kind, String master, String time, String summary, Map<String, String> details,
                    String key, String closes) {

    private static final int ID_HEX_DIGITS = 16;

    public static Alert of(AlertKind kind, String master, String summary, Map<String, String> details, String key,
                           String closes) {
        return new Alert(id(kind, master, key), kind, master, Instant.now().toString(), summary,
                Collections.unmodifiableMap(new LinkedHashMap<>(details)), key, closes);
    }

    /** The stable id: the same on every relay for the same kind, master and key; safe as a file and znode name. */
    static String id(AlertKind kind, String master, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((kind.id() + "\n" + master + "\n" + key).getBytes(StandardCharsets.UTF_8));
            return kind.id() + "-" + HexFormat.of().formatHex(digest).substring(0, ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return kind.id() + (master == null ? "" : " " + master) + ": " + summary;
    }
}
