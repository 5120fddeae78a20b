package dev.sentinelrelay.alerts;

import java.time.Instant;
import java.util.Map;

/**
 * The delivered registry: which alerts (by their stable {@link Alert#id}) the leader delivered on which channel, and
 * when. In a cluster it lives in ZooKeeper ({@link ZooKeeperDeliveredAlerts}), so a standby can drop from its
 * outbox what the leader delivered and a new leader sends only the rest. Alone there is nobody to tell:
 * {@link #NONE}. Calls may fail (ZooKeeper unreachable); callers decide what that means.
 */
public interface DeliveredAlerts {

    /** A relay alone: records nothing and knows of no delivery. */
    DeliveredAlerts NONE = new DeliveredAlerts() {
        @Override
        public void record(String channel, String id, Instant at) {
        }

        @Override
        public Map<String, Instant> delivered(String channel) {
            return Map.of();
        }

        @Override
        public void forget(String channel, String id) {
        }
    };

    /** The channel accepted a message carrying alert {@code id} at {@code at}. */
    void record(String channel, String id, Instant at) throws Exception;

    /** Alert id -> when it was delivered, for every alert recorded on the channel and not forgotten yet. */
    Map<String, Instant> delivered(String channel) throws Exception;

    void forget(String channel, String id) throws Exception;
}
