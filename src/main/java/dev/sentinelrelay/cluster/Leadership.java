package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Whether this relay may write to HAProxy, Consul, Kubernetes and the alert channels (bean {@code leadership}). Alone:
 * always (act) or never (observe). In a cluster only the leader may, and only while its engine confirms it: on
 * ZooKeeper the election is camel-zookeeper-master's ({@link ZooKeeperCoordination}), on Kubernetes a Lease
 * ({@link LeaseCoordination}). This bean keeps a {@link Lease} of half the engine's timeout, so a relay frozen past
 * it and resumed asks its engine again before any write. This class is the write gate; who leads is recorded by
 * {@link LeaderSightings}.
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
    /** null when alone or observing: no election */
    private final Coordination election;
    private final Lease lease;
    private final LeaderSightings sightings;
    private volatile boolean leading;
    private volatile String leadingSince;

    /**
     * On ZooKeeper, alone or observing.
     *
     * @param curator the ZooKeeper client the election uses (bean {@code curator}); null when alone or observing
     */
    public Leadership(ClusterConfig cluster, boolean observe, CuratorFramework curator, LongSupplier clock) {
        this(cluster, observe, clock, curator == null ? null
                : gate -> new ZooKeeperCoordination(cluster, curator, gate.sightings, gate.lease, gate::stepDown));
    }

    /**
     * On a Kubernetes Lease ({@code cluster.lease()}).
     *
     * @param namespace the Lease's namespace, resolved (the configured one, else the pod's)
     */
    public Leadership(ClusterConfig cluster, KubernetesClient client, String namespace, LongSupplier clock) {
        this(cluster, false, clock, gate -> new LeaseCoordination(cluster, new LeaseStore(client, namespace,
                cluster.lease().name()), gate.sightings, gate.lease, clock));
    }

    private Leadership(ClusterConfig cluster, boolean observe, LongSupplier clock, Function<Leadership, Coordination> engine) {
        this.cluster = cluster;
        this.observe = observe;
        this.lease = new Lease(cluster == null ? 0 : cluster.sessionTimeout().toNanos() / LEASE_PARTS, clock);
        this.sightings = new LeaderSightings(cluster == null ? null : cluster.instance());
        this.election = engine == null ? null : engine.apply(this);
    }

    /** The group the routes elect in ({@code zookeeper-master:leader:...}), under {@link #electionRoot}. */
    public static final String ELECTION_GROUP = "leader";

    /** Where this cluster's nodes live in ZooKeeper: the election and the alerts' delivered registry. */
    public static String electionRoot(ClusterConfig cluster) {
        return "/sentinel-relay/" + cluster.name();
    }

    /** How to enter the election again (restart the leadership route): see {@link ZooKeeperCoordination}. */
    public void rejoinWith(Runnable rejoin) {
        if (election != null) {
            election.rejoinWith(rejoin);
        }
    }

    /** True when this relay takes part in an election (cluster mode, not observing). */
    public boolean elects() {
        return election != null;
    }

    /** As {@link #mayWrite}: a relay resumed after a freeze does not call itself the leader before its engine does. */
    public Role role() {
        if (election == null) {
            return observe ? Role.OBSERVE : Role.SINGLE;
        }
        return mayWrite() ? Role.LEADER : Role.STANDBY;
    }

    /**
     * Whether a write may go out now: alone, unless observing; in a cluster, on the leader whose lease holds, or
     * that its engine confirms as the leader again right now (after a pause, or when the lease ran out).
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
        if (election.confirm()) {
            lease.renew(asked);
            return true;
        }
        stepDown(election.name() + " no longer confirms this relay as the leader");
        return false;
    }

    /**
     * The heartbeat (routes/05-leadership.yaml; on ZooKeeper its timer runs on the leader only, on a Lease on every
     * relay): confirms the leadership with the engine (on a Lease: acquires or renews it) and renews the lease. On the
     * first tick of a term (this relay just took over): the takeover, naming the leader before it; null otherwise.
     */
    public ClusterChange tick() {
        long asked = lease.now();
        if (!election.confirm()) {
            stepDown(election.name() + " does not name this relay the leader");
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
        LOG.info("cluster {}: {} leads now (before: {}); reconciling every master and destination before acting ({})",
                cluster.name(), cluster.instance(), previous == null ? "none known" : previous, election.election());
        return new ClusterChange(ClusterChange.Kind.LEADER_CHANGED, cluster.instance(), previous);
    }

    /**
     * Every relay of a cluster, every second (routes/05-leadership.yaml): who leads, as the engine says; and a
     * critical alert once this relay has been cut off from it for a session timeout (a lease duration), and another
     * once it is connected again (the changes returned).
     */
    public List<ClusterChange> watch() {
        return election == null ? List.of() : election.watch();
    }

    private void stepDown(String reason) {
        lease.end();
        if (leading) {
            leading = false;
            leadingSince = null;
            LOG.warn("cluster {}: {} stopped leading: {}", cluster.name(), cluster.instance(), reason);
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
        // cut off from its engine, this relay does not know who leads
        boolean connected = election.isConnected();
        lead.put("instance", connected ? seen.leader() : null);
        lead.put("since", connected ? seen.since() : null);
        out.put("leader", lead);
        out.put("leadingSince", leadingSince);
        Map<String, Object> engine = new LinkedHashMap<>();
        election.view(engine);
        out.put(election.id(), engine);
        out.put("leadershipChanges", seen.changes());
        out.put("takeovers", seen.takeovers());
        return out;
    }
}
