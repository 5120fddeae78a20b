package dev.sentinelrelay.cluster;

import java.util.List;
import java.util.Map;

/**
 * The engine a cluster elects on, as the write gate ({@link Leadership}) asks it: ZooKeeper
 * ({@link ZooKeeperCoordination}) or a Kubernetes Lease ({@link LeaseCoordination}). Made by the gate, bound to its
 * {@link Lease}, {@link LeaderSightings} and step-down.
 */
interface Coordination {

    /** How the engine is named in GET /api/cluster ({@code zookeeper}, {@code kubernetes}) and the logs. */
    String id();

    /** How the engine is named in the logs and alerts ({@code ZooKeeper}, {@code the Kubernetes API server}). */
    String name();

    /**
     * Asks the engine now whether this relay leads, with its current session or lease; false when it cannot tell. On a
     * Lease this also acquires a free or expired Lease and renews one this relay holds (a conditional update: it
     * fails when anyone changed the Lease since it was read).
     */
    boolean confirm();

    /** Whether this relay reaches the engine now. */
    boolean isConnected();

    /** Every second on every relay of the cluster: who leads; coordination lost or restored since the last call. */
    List<ClusterChange> watch();

    /** How to enter the election again (ZooKeeper: restart the leadership route); a Lease needs none. */
    void rejoinWith(Runnable rejoin);

    /** The election as last read, for the log line of a new term. */
    String election();

    /** GET /api/cluster's part named {@link #id()}. */
    void view(Map<String, Object> out);
}
