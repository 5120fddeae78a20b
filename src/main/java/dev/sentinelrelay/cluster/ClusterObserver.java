package dev.sentinelrelay.cluster;

/** What the cluster's coordination did, for whoever reports it (alerts). Implementations only record or queue. */
public interface ClusterObserver {

    ClusterObserver NONE = new ClusterObserver() {
    };

    /** This relay took over the leadership from {@code previous} (another relay). */
    default void leaderChanged(String previous, String leader) {
    }

    /** This relay has been cut off from ZooKeeper for a session timeout: no relay it knows of may write. */
    default void coordinationLost(String instance, String since) {
    }

    /** Connected to ZooKeeper again after {@link #coordinationLost}. */
    default void coordinationRestored(String instance) {
    }
}
