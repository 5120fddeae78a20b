package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

/**
 * What one sentinel answered to {@code SENTINEL get-master-addr-by-name}.
 *
 * @param sentinel the sentinel asked
 * @param master   the address it named; null when it did not answer or knows no such master
 * @param error    why there is no address; null when there is one
 */
public record Vote(String sentinel, HostPort master, String error) {

    public static Vote of(String sentinel, HostPort master) {
        return new Vote(sentinel, master, null);
    }

    public static Vote failed(String sentinel, String error) {
        return new Vote(sentinel, null, error);
    }

    /** The sentinel answered (with an address or "no such master"); it is reachable. */
    public boolean answered() {
        return master != null || "unknown master".equals(error);
    }

    @Override
    public String toString() {
        return sentinel + "=" + (master != null ? master : error);
    }
}
