package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;

/**
 * One node of a master's group as the read pool judges it.
 *
 * @param role   {@code master} or {@code replica}
 * @param reason why it is in or out, for the API and the log
 */
public record PoolMember(HostPort address, String role, boolean in, String reason) {
}
