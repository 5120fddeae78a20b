package dev.sentinelrelay.cluster;

/**
 * What the cluster's coordination did, for the alerts raised by routes/05-leadership.yaml.
 *
 * @param kind     what happened
 * @param instance this relay
 * @param other    the leader before it ({@link Kind#LEADER_CHANGED}; null when none was known), or since when it
 *                 has been cut off ({@link Kind#COORDINATION_LOST})
 * @param engine   what the cluster elects on, as the alerts name it ({@code ZooKeeper}, {@code the Kubernetes API server})
 */
public record ClusterChange(Kind kind, String instance, String other, String engine) {

    /** On ZooKeeper. */
    public ClusterChange(Kind kind, String instance, String other) {
        this(kind, instance, other, "ZooKeeper");
    }

    public enum Kind {
        /** This relay took over the leadership. */
        LEADER_CHANGED,
        /** This relay has been cut off from its engine for a session timeout (a lease duration): no relay it knows of may write. */
        COORDINATION_LOST,
        /** Connected to its engine again after {@link #COORDINATION_LOST}. */
        COORDINATION_RESTORED
    }
}
