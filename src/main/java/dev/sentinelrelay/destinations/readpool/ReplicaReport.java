package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;

import java.util.Map;

/**
 * One sentinel's view of one replica: a row of {@code SENTINEL REPLICAS <master>}.
 *
 * @param linkStatus the replica's {@code master-link-status} as the sentinel last read it ({@code ok} or {@code err})
 */
public record ReplicaReport(HostPort address, String flags, String linkStatus) {

    /** Throws {@link IllegalArgumentException} for a row without a valid address. */
    public static ReplicaReport of(Map<String, String> row) {
        return new ReplicaReport(new HostPort(row.get("ip"), HostPort.parsePort(row.get("port"))),
                row.getOrDefault("flags", ""), row.getOrDefault("master-link-status", ""));
    }

    /** Why the sentinel does not call the replica healthy; null when it does. */
    public String problem() {
        for (String flag : new String[] {"o_down", "s_down", "disconnected"}) {
            if (flags.contains(flag)) {
                return flag;
            }
        }
        return "ok".equals(linkStatus) ? null : "master link " + (linkStatus.isEmpty() ? "unknown" : linkStatus);
    }
}
