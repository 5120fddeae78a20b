package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;

import java.util.HashMap;
import java.util.Map;

/**
 * What the master's {@code INFO replication} says: its own offset and the offset each online replica last
 * acknowledged (replicas acknowledge every second), so a replica's lag in bytes is their difference.
 */
public record ReplicationOffsets(long masterOffset, Map<HostPort, Long> online) {

    /** Parses {@code master_repl_offset:<n>} and {@code slave<i>:ip=..,port=..,state=online,offset=..,lag=..}. */
    public static ReplicationOffsets parse(String info) {
        Long master = null;
        Map<HostPort, Long> online = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("master_repl_offset:")) {
                master = Long.parseLong(line.substring("master_repl_offset:".length()).strip());
            } else if (line.startsWith("slave") && line.indexOf(':') > 0) {
                Map<String, String> fields = new HashMap<>();
                for (String pair : line.substring(line.indexOf(':') + 1).strip().split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        fields.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
                if ("online".equals(fields.get("state")) && fields.containsKey("offset")) {
                    online.put(new HostPort(fields.get("ip"), HostPort.parsePort(fields.get("port"))),
                            Long.parseLong(fields.get("offset")));
                }
            }
        }
        if (master == null) {
            throw new IllegalArgumentException("INFO replication has no master_repl_offset");
        }
        return new ReplicationOffsets(master, Map.copyOf(online));
    }
}
