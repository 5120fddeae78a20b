package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A cluster relay on ZooKeeper (camel-zookeeper-master's election, routes/05-leadership.yaml): whether ZooKeeper names
 * this relay, with its current session, the leader; its connection (a suspended or lost one ends the write lease at
 * once); every second who leads and whether this relay is still in the election, and a critical alert once it has
 * been cut off from ZooKeeper for a session timeout.
 */
final class ZooKeeperCoordination implements Coordination {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordination.class);
    /** The watch runs every second (routes/05-leadership.yaml): a gap of 3 s between two runs is a pause of the relay. */
    private static final Duration WATCH_PAUSE = Duration.ofSeconds(3);

    private final ClusterConfig cluster;
    private final ElectionReader election;
    private final LeaderSightings sightings;
    private final Lease lease;
    /** how the write gate steps down, with the reason */
    private final Consumer<String> stepDown;
    /** whether this relay is cut off from ZooKeeper (coordination-lost), on the lease clock */
    private final CutOff cutOff;
    /** connected again after coordination-lost was reported: reported by the next watch */
    private volatile boolean restored;
    private volatile Runnable rejoin = () -> { };
    private volatile String connection = "CONNECTING";
    /** when the connection was last lost (or the relay started unconnected), for the alert and the API */
    private volatile String disconnectedSince = Instant.now().toString();
    /** lease clock since when ZooKeeper holds no election node of this relay's session; MIN_VALUE while it does */
    private volatile long unjoinedAt = Long.MIN_VALUE;

    /** the election's nodes when last read for a confirmation, for the log line of a new term */
    private volatile List<ElectionNodes.Node> lastNodes = List.of();

    ZooKeeperCoordination(ClusterConfig cluster, CuratorFramework curator, LeaderSightings sightings, Lease lease,
                          Consumer<String> stepDown) {
        this.cluster = cluster;
        this.election = new ElectionReader(curator, Leadership.electionRoot(cluster) + "/" + Leadership.ELECTION_GROUP);
        this.sightings = sightings;
        this.lease = lease;
        this.stepDown = stepDown;
        this.cutOff = new CutOff(cluster.sessionTimeout().toNanos(), WATCH_PAUSE.toNanos(), lease.now());
        curator.getConnectionStateListenable().addListener((client, state) -> connectionChanged(state));
    }

    @Override
    public String id() {
        return "zookeeper";
    }

    @Override
    public String name() {
        return "ZooKeeper";
    }

    @Override
    public void rejoinWith(Runnable rejoin) {
        this.rejoin = rejoin;
    }

    @Override
    public boolean isConnected() {
        return election.isConnected();
    }

    /** Whether ZooKeeper names this relay, with its current session, the leader. */
    @Override
    public boolean confirm() {
        if (!election.isConnected()) {
            return false;
        }
        try {
            long session = election.session();
            List<ElectionNodes.Node> nodes = election.nodes();
            lastNodes = nodes;
            return ElectionNodes.leader(nodes)
                    .filter(n -> n.instance().equals(cluster.instance()) && n.session() == session).isPresent();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("cluster {}: leadership not confirmed: {}", cluster.name(), e.toString());
            return false;
        }
    }

    @Override
    public String election() {
        return "election " + lastNodes.stream().map(n -> n.name() + " " + n.instance()).toList();
    }

    /** Who leads, whether this relay is in the election; the coordination lost or restored since the last watch. */
    @Override
    public List<ClusterChange> watch() {
        cutOff.tick(lease.now());
        try {
            List<ClusterChange> changes = new ArrayList<>();
            if (restored) {
                restored = false;
                changes.add(new ClusterChange(ClusterChange.Kind.COORDINATION_RESTORED, cluster.instance(), null));
            }
            if (!watchNow()) {
                changes.add(new ClusterChange(ClusterChange.Kind.COORDINATION_LOST, cluster.instance(), disconnectedSince));
            }
            return changes;
        } finally {
            // a run held up by ZooKeeper's retries is no pause of the relay: the gap counts from the end of a run
            cutOff.tick(lease.now());
        }
    }

    /** False once this relay has been cut off for a session timeout (reported once per cut). */
    private boolean watchNow() {
        if (election.isConnected()) {
            try {
                List<ElectionNodes.Node> nodes = election.nodes();
                sightings.seen(ElectionNodes.leader(nodes).map(ElectionNodes.Node::instance).orElse(null));
                checkJoined(nodes);
            } catch (Exception e) {
                LOG.debug("cluster {}: cannot read the election: {}", cluster.name(), e.toString());
            }
            return true;
        }
        if (cutOff.report(lease.now())) {
            LOG.error("cluster {}: {} cut off from ZooKeeper ({}) since {}: no relay writes until it is back",
                    cluster.name(), cluster.instance(), cluster.zookeeper(), disconnectedSince);
            return false;
        }
        return true;
    }

    /**
     * zookeeper-master's group keeps the node it had when its session ended if that node still exists when it
     * reconnects (ZooKeeper restored after losing its majority keeps the old sessions for a while): it then sits
     * outside the election once the old session expires, and no relay may ever lead. Seen for a session timeout, the
     * leadership route is restarted, which enters the election with a node of the current session.
     */
    private void checkJoined(List<ElectionNodes.Node> nodes) throws Exception {
        long session = election.session();
        if (nodes.stream().anyMatch(n -> n.session() == session)) {
            unjoinedAt = Long.MIN_VALUE;
            return;
        }
        long now = lease.now();
        if (unjoinedAt == Long.MIN_VALUE) {
            unjoinedAt = now;
        } else if (now - unjoinedAt >= cluster.sessionTimeout().toNanos()) {
            unjoinedAt = Long.MIN_VALUE;
            LOG.warn("cluster {}: {} is not in the election (no node of its ZooKeeper session): entering it again",
                    cluster.name(), cluster.instance());
            rejoin.run();
        }
    }

    private void connectionChanged(ConnectionState state) {
        connection = state.name();
        if (state.isConnected()) {
            boolean reported = cutOff.connected();
            lease.length(Math.min(cluster.sessionTimeout().toNanos(),
                    election.negotiatedTimeoutNanos(cluster.sessionTimeout().toNanos())) / Leadership.LEASE_PARTS);
            if (reported) {
                LOG.info("cluster {}: {} connected to ZooKeeper again", cluster.name(), cluster.instance());
                restored = true;
            }
            return;
        }
        if (!cutOff.isDisconnected()) {
            disconnectedSince = Instant.now().toString();
        }
        cutOff.disconnected(lease.now());
        stepDown.accept("ZooKeeper connection " + state);
    }

    /** GET /api/cluster's zookeeper part. */
    @Override
    public void view(Map<String, Object> zk) {
        zk.put("connect", cluster.zookeeper());
        zk.put("state", connection);
        zk.put("disconnectedSince", cutOff.isDisconnected() ? disconnectedSince : null);
        zk.put("sessionTimeoutMs", cluster.sessionTimeout().toMillis());
        zk.put("negotiatedSessionTimeoutMs",
                Duration.ofNanos(election.negotiatedTimeoutNanos(cluster.sessionTimeout().toNanos())).toMillis());
    }
}
