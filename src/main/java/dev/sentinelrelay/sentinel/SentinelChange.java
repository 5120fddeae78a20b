package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

/**
 * A sentinel the relay starts ({@code follows}) or stops following, and why; {@code id} is set once applied.
 */
public record SentinelChange(boolean follows, HostPort address, String reason, String id) {

    static SentinelChange follow(HostPort address, String reason) {
        return new SentinelChange(true, address, reason, null);
    }

    static SentinelChange forget(HostPort address, String reason) {
        return new SentinelChange(false, address, reason, null);
    }

    public SentinelChange applied(String sentinelId) {
        return new SentinelChange(follows, address, reason, sentinelId);
    }

    @Override
    public String toString() {
        return (follows ? "following discovered sentinel " : "forgot sentinel ") + (id == null ? "" : id + " ")
                + "(" + address + "): " + reason;
    }
}
