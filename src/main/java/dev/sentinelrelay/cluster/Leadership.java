package dev.sentinelrelay.cluster;

import dev.sentinelrelay.destinations.haproxy.Snapshot;
import dev.sentinelrelay.configuration.ClusterConfig;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Whether this relay may write to HAProxy, Consul and the alert channels (bean {@code leadership}). Alone: always
 * (act) or never (observe). In a cluster only the leader may, and only while ZooKeeper confirms it: the election
 * itself is camel-zookeeper-master's (routes/05-leadership.yaml runs on the leader only); this bean stops writing
 * the moment the connection is suspended, and keeps a {@link Lease} so a relay frozen past its session and resumed
 * asks ZooKeeper again before any write. This class is the write gate; the election is read by {@link ElectionReader},
 * the connection and the election watched by {@link ZooKeeperWatch}, who leads recorded by {@link LeaderSightings}.
 */
public final class Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    /** The lease is half the session timeout; the leader's heartbeat (a quarter) renews it with room to be late. */
    static final int LEASE_PARTS = 2;

    /** What this relay is in its cluster; {@link #id()} as the API shows it. */
    public enum Role {
        SINGLE, OBSERVE, LEADER, STANDBY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A change of leader this relay saw. */
    public record Takeover(String at, String from, String to) {
    }

    private final ClusterConfig cluster;
    private final boolean observe;
    /** null when alone or observing: no ZooKeeper (likewise {@link #watch}) */
    private final ElectionReader election;
    private final ZooKeeperWatch watch;
    private final Lease lease;
    private final LeaderSightings sightings;
    private volatile boolean leading;
    private volatile String leadingSince;
    /** the election's nodes when last read for a confirmation, for the log line of a new term */
    private volatile List<ElectionNodes.Node> lastNodes = List.of();

    /**
     * @param curator the ZooKeeper client the election uses (bean {@code curator}); null when alone or observing
     */
    public Leadership(ClusterConfig cluster, boolean observe, CuratorFramework curator, LongSupplier clock) {
        this.cluster = cluster;
        this.observe = observe;
        this.lease = new Lease(cluster == null ? 0 : cluster.sessionTimeout().toNanos() / LEASE_PARTS, clock);
        this.sightings = new LeaderSightings(cluster == null ? null : cluster.instance());
        this.election = curator == null ? null : new ElectionReader(curator, electionRoot(cluster) + "/" + ELECTION_GROUP);
        this.watch = curator == null ? null : new ZooKeeperWatch(cluster, curator, election, sightings, lease, this::stepDown);
    }

    /** The group the routes elect in ({@code zookeeper-master:leader:...}), under {@link #electionRoot}. */
    public static final String ELECTION_GROUP = "leader";

    /** Where this cluster's nodes live in ZooKeeper: the election and the alerts' delivered registry. */
    public static String electionRoot(ClusterConfig cluster) {
        return "/sentinel-relay/" + cluster.name();
    }

    /** How to enter the election again (restart the leadership route): see {@link ZooKeeperWatch}. */
    public void rejoinWith(Runnable rejoin) {
        if (watch != null) {
            watch.rejoinWith(rejoin);
        }
    }

    /** True when this relay takes part in an election (cluster mode, not observing). */
    public boolean elects() {
        return election != null;
    }

    /** As {@link #mayWrite}: a relay resumed after a freeze does not call itself the leader before ZooKeeper does. */
    public Role role() {
        if (election == null) {
            return observe ? Role.OBSERVE : Role.SINGLE;
        }
        return mayWrite() ? Role.LEADER : Role.STANDBY;
    }

    /**
     * Whether a write may go out now: alone, unless observing; in a cluster, on the leader whose lease holds, or
     * that ZooKeeper confirms as the leader again right now (after a pause, or when the lease ran out).
     */
    public boolean mayWrite() {
        if (election == null) {
            return !observe;
        }
        if (!leading) {
            return false;
        }
        if (lease.holds()) {
            return true;
        }
        long asked = lease.now();
        if (confirmed()) {
            lease.renew(asked);
            return true;
        }
        stepDown("ZooKeeper no longer confirms this relay as the leader");
        return false;
    }

    /**
     * The leader's heartbeat (routes/05-leadership.yaml; its timer runs on the leader only): confirms the leadership
     * with ZooKeeper and renews the lease. On the first tick of a term (this relay just took over): the takeover, naming
     * the leader before it; null on the other ticks.
     */
    public ClusterChange tick() {
        long asked = lease.now();
        if (!confirmed()) {
            stepDown("ZooKeeper does not name this relay the leader");
            return null;
        }
        lease.renew(asked);
        if (leading) {
            return null;
        }
        String previous = sightings.beginTerm();
        leading = true;
        leadingSince = Instant.now().toString();
        sightings.seen(cluster.instance());
        LOG.info("cluster {}: {} leads now (before: {}); reconciling every master and destination before acting (election {})",
                cluster.name(), cluster.instance(), previous == null ? "none known" : previous,
                lastNodes.stream().map(n -> n.name() + " " + n.instance()).toList());
        return new ClusterChange(ClusterChange.Kind.LEADER_CHANGED, cluster.instance(), previous);
    }

    /**
     * Every relay of a cluster, every second (routes/05-leadership.yaml): who leads, as ZooKeeper says; and a
     * critical alert once this relay has been cut off from ZooKeeper for a session timeout, and another once it is
     * connected again (the changes returned).
     */
    public List<ClusterChange> watch() {
        return watch == null ? List.of() : watch.watch();
    }

    private void stepDown(String reason) {
        lease.end();
        if (leading) {
            leading = false;
            leadingSince = null;
            LOG.warn("cluster {}: {} stopped leading: {}", cluster.name(), cluster.instance(), reason);
        }
    }

    /** Whether ZooKeeper names this relay, with its current session, the leader. */
    private boolean confirmed() {
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

    /** Whether this relay writes: the leader, or a relay alone in act mode (GET /health/leader is up here only). */
    public boolean writes() {
        Role role = role();
        return role == Role.LEADER || role == Role.SINGLE;
    }

    public String describe() {
        String known = election != null && election.isConnected() ? sightings.leader() : null;
        return role().id() + (election == null ? "" : ": leader " + (known == null ? "unknown" : known));
    }

    /** relay_leader: 1 while this relay writes as the leader (or alone in act mode). */
    public int leaderGauge() {
        return writes() ? 1 : 0;
    }

    /** relay_leadership_changes_total: changes of leader this relay saw. */
    public long changes() {
        return sightings.changes();
    }

    /** GET /api/cluster. */
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", role().id());
        out.put("mode", observe ? "observe" : "act");
        if (cluster == null) {
            out.put("cluster", null);
            return out;
        }
        out.put("cluster", cluster.name());
        out.put("instance", cluster.instance());
        if (election == null) {
            return out;
        }
        LeaderSightings.Snapshot seen = sightings.snapshot();
        Map<String, Object> lead = new LinkedHashMap<>();
        // cut off from ZooKeeper, this relay does not know who leads
        boolean connected = election.isConnected();
        lead.put("instance", connected ? seen.leader() : null);
        lead.put("since", connected ? seen.since() : null);
        out.put("leader", lead);
        out.put("leadingSince", leadingSince);
        Map<String, Object> zk = new LinkedHashMap<>();
        watch.view(zk);
        out.put("zookeeper", zk);
        out.put("leadershipChanges", seen.changes());
        out.put("takeovers", seen.takeovers());
        return out;
    }
}
