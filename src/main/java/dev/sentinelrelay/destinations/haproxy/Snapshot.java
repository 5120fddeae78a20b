package dev.sentinelrelay.destinations.haproxy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one HAProxy holds for one master, as read back: the servers of the relevant backends and, in map mode,
 * the map's entries.
 */
public record Snapshot(List<ServerState> servers, Map<String, String> mapEntries) {

    /** Parses the answers to a mode's read-back line: {@code show servers state ...} then optionally {@code show map}. */
    public static Snapshot parse(String reply) {
        List<List<String>> answers = ReplyChecker.answers(reply);
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("empty read-back reply");
        }
        Map<String, String> entries = new HashMap<>();
        if (answers.size() > 1) {
            for (String line : answers.get(1)) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3) {
                    entries.putIfAbsent(f[1], f[2]); // HAProxy uses the first of duplicate keys
                }
            }
        }
        return new Snapshot(ServerState.parse(answers.get(0)), Map.copyOf(entries));
    }

    public List<ServerState> backend(String backend) {
        return servers.stream().filter(s -> s.backend().equals(backend)).toList();
    }

    public Optional<ServerState> server(String backend, String server) {
        return servers.stream().filter(s -> s.backend().equals(backend) && s.server().equals(server)).findFirst();
    }

    /** The snapshot after the relay set a map entry. */
    public Snapshot withMapEntry(String key, String value) {
        Map<String, String> entries = new HashMap<>(mapEntries);
        entries.put(key, value);
        return new Snapshot(servers, Map.copyOf(entries));
    }
}
