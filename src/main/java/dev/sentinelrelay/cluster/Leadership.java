package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether this relay may write to HAProxy, Consul and the alert channels (bean {@code leadership}). Alone: always
 * (act) or never (observe). In a cluster only the leader may, and only while ZooKeeper confirms it: the election
 * itself is camel-zookeeper-master's (routes/05-leadership.yaml runs on the leader only); this bean stops writing
 * the moment the connection is suspended, and keeps a {@link Lease} so a relay frozen past its session and resumed
 * asks ZooKeeper again before any write.
 */
public final class Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    private static final int TAKEOVERS_KEPT = 10;
    /** The lease is half the session timeout; the leader's heartbeat (a quarter) renews it with room to be late. */
    private static final int LEASE_PARTS = 2;
    /** The watch runs every second (routes/05-leadership.yaml): a gap of 3 s between two runs is a pause of the relay. */
    private static final Duration WATCH_PAUSE = Duration.ofSeconds(3);
    private static final Pattern CONTAINER = Pattern.compile("\"container\"\\s*:\\s*\"([^\"]*)\"");

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
    private final CuratorFramework curator;
    private final String electionPath;
    private final Lease lease;
    private final AtomicLong changes = new AtomicLong();
    private final Deque<Takeover> takeovers = new ArrayDeque<>();
    private volatile ClusterObserver observer = ClusterObserver.NONE;
    private volatile boolean leading;
    private volatile String leadingSince;
    /** who leads as last read from ZooKeeper; null while the election has no node */
    private volatile String leader;
    /** the last relay known to lead, for the changes and takeovers */
    private String lastKnownLeader;
    /** another relay seen leading since this relay's last term: who a new term takes over from (null: nobody) */
    private volatile String otherSinceTerm;
    private volatile String leaderSince;
    private volatile String connection = "CONNECTING";
    /** whether this relay is cut off from ZooKeeper (coordination-lost), on the lease clock */
    private final CutOff cutOff;
    /** when the connection was last lost (or the relay started unconnected), for the alert and the API */
    private volatile String disconnectedSince;
    /** lease clock since when ZooKeeper holds no election node of this relay's session; MIN_VALUE while it does */
    private volatile long unjoinedAt = Long.MIN_VALUE;
    private volatile Runnable rejoin = () -> { };
    /** the election's nodes when last read for a confirmation, for the log line of a new term */
    private volatile List<ElectionNodes.Node> lastNodes = List.of();

    /**
     * @param curator the ZooKeeper client the election uses (bean {@code curator}); null when alone or observing
     */
    public Leadership(ClusterConfig cluster, boolean observe, CuratorFramework curator, LongSupplier clock) {
        this.cluster = cluster;
        this.observe = observe;
        this.curator = curator;
        this.electionPath = cluster == null ? null : electionRoot(cluster) + "/" + ELECTION_GROUP;
        this.lease = new Lease(cluster == null ? 0 : cluster.sessionTimeout().toNanos() / LEASE_PARTS, clock);
        this.cutOff = new CutOff(cluster == null ? 0 : cluster.sessionTimeout().toNanos(), WATCH_PAUSE.toNanos(), lease.now());
        this.disconnectedSince = Instant.now().toString();
        if (curator != null) {
            curator.getConnectionStateListenable().addListener((client, state) -> connectionChanged(state));
        }
    }

    /** The group the routes elect in ({@code zookeeper-master:leader:...}), under {@link #electionRoot}. */
    public static final String ELECTION_GROUP = "leader";

    /** Where this cluster's nodes live in ZooKeeper: the election and the alerts' delivered registry. */
    public static String electionRoot(ClusterConfig cluster) {
        return "/sentinel-relay/" + cluster.name();
    }

    public void observe(ClusterObserver observer) {
        this.observer = observer;
    }

    /** How to enter the election again (restart the leadership route): see {@link #watch}. */
    public void rejoinWith(Runnable rejoin) {
        this.rejoin = rejoin;
    }

    /** True when this relay takes part in an election (cluster mode, not observing). */
    public boolean elects() {
        return curator != null;
    }

    /** As {@link #mayWrite}: a relay resumed after a freeze does not call itself the leader before ZooKeeper does. */
    public Role role() {
        if (curator == null) {
            return observe ? Role.OBSERVE : Role.SINGLE;
        }
        return mayWrite() ? Role.LEADER : Role.STANDBY;
    }

    /**
     * Whether a write may go out now: alone, unless observing; in a cluster, on the leader whose lease holds, or
     * that ZooKeeper confirms as the leader again right now (after a pause, or when the lease ran out).
     */
    public boolean mayWrite() {
        if (curator == null) {
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
     * with ZooKeeper and renews the lease. True on the first tick of a term: this relay just took over.
     */
    public boolean tick() {
        long asked = lease.now();
        if (!confirmed()) {
            stepDown("ZooKeeper does not name this relay the leader");
            return false;
        }
        lease.renew(asked);
        if (leading) {
            return false;
        }
        // a term after a short step-down of its own (a connection blip) takes over from nobody
        String previous = otherSinceTerm;
        otherSinceTerm = null;
        leading = true;
        leadingSince = Instant.now().toString();
        seen(cluster.instance());
        LOG.info("cluster {}: {} leads now (before: {}); reconciling every master and destination before acting (election {})",
                cluster.name(), cluster.instance(), previous == null ? "none known" : previous,
                lastNodes.stream().map(n -> n.name() + " " + n.instance()).toList());
        if (previous != null) {
            observer.leaderChanged(previous, cluster.instance());
        }
        return true;
    }

    /**
     * Every relay of a cluster, every second (routes/05-leadership.yaml): who leads, as ZooKeeper says; and a
     * critical alert once this relay has been cut off from ZooKeeper for a session timeout.
     */
    public void watch() {
        if (curator == null) {
            return;
        }
        cutOff.tick(lease.now());
        try {
            watchNow();
        } finally {
            // a run held up by ZooKeeper's retries is no pause of the relay: the gap counts from the end of a run
            cutOff.tick(lease.now());
        }
    }

    private void watchNow() {
        if (isConnected()) {
            try {
                List<ElectionNodes.Node> nodes = nodes();
                seen(ElectionNodes.leader(nodes).map(ElectionNodes.Node::instance).orElse(null));
                checkJoined(nodes);
            } catch (Exception e) {
                LOG.debug("cluster {}: cannot read the election: {}", cluster.name(), e.toString());
            }
            return;
        }
        if (cutOff.report(lease.now())) {
            LOG.error("cluster {}: {} cut off from ZooKeeper ({}) since {}: no relay writes until it is back",
                    cluster.name(), cluster.instance(), cluster.zookeeper(), disconnectedSince);
            observer.coordinationLost(cluster.instance(), disconnectedSince);
        }
    }

    /**
     * zookeeper-master's group keeps the node it had when its session ended if that node still exists when it
     * reconnects (ZooKeeper restored after losing its majority keeps the old sessions for a while): it then sits
     * outside the election once the old session expires, and no relay may ever lead. Seen for a session timeout, the
     * leadership route is restarted, which enters the election with a node of the current session.
     */
    private void checkJoined(List<ElectionNodes.Node> nodes) throws Exception {
        long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
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

    /** Who leads now, as ZooKeeper says; null: nobody (the election has no node). */
    private synchronized void seen(String instance) {
        if (Objects.equals(instance, leader)) {
            return;
        }
        String now = Instant.now().toString();
        leader = instance;
        leaderSince = now;
        if (instance == null || instance.equals(lastKnownLeader)) {
            return;
        }
        if (!instance.equals(cluster.instance())) {
            otherSinceTerm = instance;
        }
        if (lastKnownLeader != null) {
            changes.incrementAndGet();
        }
        takeovers.addFirst(new Takeover(now, lastKnownLeader, instance));
        while (takeovers.size() > TAKEOVERS_KEPT) {
            takeovers.removeLast();
        }
        lastKnownLeader = instance;
    }

    private void connectionChanged(ConnectionState state) {
        connection = state.name();
        if (state.isConnected()) {
            boolean reported = cutOff.connected();
            lease.length(Math.min(cluster.sessionTimeout().toNanos(), negotiatedTimeoutNanos()) / LEASE_PARTS);
            if (reported) {
                LOG.info("cluster {}: {} connected to ZooKeeper again", cluster.name(), cluster.instance());
                observer.coordinationRestored(cluster.instance());
            }
            return;
        }
        if (!cutOff.isDisconnected()) {
            disconnectedSince = Instant.now().toString();
        }
        cutOff.disconnected(lease.now());
        stepDown("ZooKeeper connection " + state);
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
        if (!isConnected()) {
            return false;
        }
        try {
            long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
            List<ElectionNodes.Node> nodes = nodes();
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

    private boolean isConnected() {
        try {
            return curator.getZookeeperClient().isConnected()
                    && curator.getZookeeperClient().getZooKeeper().getState().isConnected();
        } catch (Exception e) {
            return false;
        }
    }

    private long negotiatedTimeoutNanos() {
        try {
            return TimeUnit.MILLISECONDS.toNanos(curator.getZookeeperClient().getZooKeeper().getSessionTimeout());
        } catch (Exception e) {
            return cluster.sessionTimeout().toNanos();
        }
    }

    private List<ElectionNodes.Node> nodes() throws Exception {
        ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
        List<ElectionNodes.Node> nodes = new ArrayList<>();
        for (String child : zk.getChildren(electionPath, false)) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = zk.getData(electionPath + "/" + child, false, stat);
            } catch (org.apache.zookeeper.KeeperException.NoNodeException gone) {
                continue;
            }
            Matcher m = CONTAINER.matcher(data == null ? "" : new String(data, StandardCharsets.UTF_8));
            if (m.find()) {
                nodes.add(new ElectionNodes.Node(child, m.group(1), stat.getEphemeralOwner()));
            }
        }
        return nodes;
    }

    /** Whether this relay writes: the leader, or a relay alone in act mode (GET /health/leader is up here only). */
    public boolean writes() {
        Role role = role();
        return role == Role.LEADER || role == Role.SINGLE;
    }

    public String describe() {
        String known = curator != null && isConnected() ? leader : null;
        return role().id() + (curator == null ? "" : ": leader " + (known == null ? "unknown" : known));
    }

    /** relay_leader: 1 while this relay writes as the leader (or alone in act mode). */
    public int leaderGauge() {
        return writes() ? 1 : 0;
    }

    /** relay_leadership_changes_total: changes of leader this relay saw. */
    public long changes() {
        return changes.get();
    }

    /** GET /api/cluster. */
    public synchronized Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", role().id());
        out.put("mode", observe ? "observe" : "act");
        if (cluster == null) {
            out.put("cluster", null);
            return out;
        }
        out.put("cluster", cluster.name());
        out.put("instance", cluster.instance());
        if (curator == null) {
            return out;
        }
        Map<String, Object> lead = new LinkedHashMap<>();
        // cut off from ZooKeeper, this relay does not know who leads
        boolean connected = isConnected();
        lead.put("instance", connected ? leader : null);
        lead.put("since", connected ? leaderSince : null);
        out.put("leader", lead);
        out.put("leadingSince", leadingSince);
        Map<String, Object> zk = new LinkedHashMap<>();
        zk.put("connect", cluster.zookeeper());
        zk.put("state", connection);
        zk.put("disconnectedSince", cutOff.isDisconnected() ? disconnectedSince : null);
        zk.put("sessionTimeoutMs", cluster.sessionTimeout().toMillis());
        zk.put("negotiatedSessionTimeoutMs", TimeUnit.NANOSECONDS.toMillis(negotiatedTimeoutNanos()));
        out.put("zookeeper", zk);
        out.put("leadershipChanges", changes.get());
        out.put("takeovers", List.copyOf(takeovers));
        return out;
    }
}
