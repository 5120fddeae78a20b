package dev.sentinelrelay.cluster;

/**
 * What the cluster's coordination did, for the alerts raised by routes/05-leadership.yaml.
 *
 * @param kind     what happened
 * @param instance this relay
 * @param other    the leader before it ({@link Kind#LEADER_CHANGED}; null when none was known), or since when it
 *                 has been cut off ({@link Kind#COORDINATION_LOST})
 */
public record ClusterChange(Kind kind, String instance, String other) {

    public enum Kind {
        /** This relay took over the leadership. */
        LEADER_CHANGED,
        /** This relay has been cut off from ZooKeeper for a session timeout: no relay it knows of may write. */
        COORDINATION_LOST,
        /** Connected to ZooKeeper again after {@link #COORDINATION_LOST}. */
        COORDINATION_RESTORED
    }
}
