package dev.sentinelrelay.alerts;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The delivered registry as ZooKeeperDeliveredAlerts keeps it, in memory: one map per channel. */
final class InMemoryDeliveredAlerts implements DeliveredAlerts {

    private final Map<String, Map<String, Instant>> channels = new ConcurrentHashMap<>();
    /** when true every call fails, as with ZooKeeper out of reach */
    volatile boolean unreachable;

    @Override
    public void record(String channel, String id, Instant at) {
        reachable();
        channels.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(id, at);
    }

    @Override
    public Map<String, Instant> delivered(String channel) {
        reachable();
        return new HashMap<>(channels.getOrDefault(channel, Map.of()));
    }

    @Override
    public void forget(String channel, String id) {
        reachable();
        channels.getOrDefault(channel, new HashMap<>()).remove(id);
    }

    private void reachable() {
        if (unreachable) {
            throw new IllegalStateException("not connected to ZooKeeper");
        }
    }
}
