package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A cluster relay on a Kubernetes Lease. Every relay's heartbeat ({@link #confirm}, routes/05-leadership.yaml) reads
 * the Lease and then renews it if this relay holds it, or acquires it if it is free or expired. Expired is judged
 * as client-go does, on this relay's own monotonic clock: the Lease's record unchanged (same resource version) for a
 * lease duration since this relay first saw it; never from the renew time another host wrote, so clock skew between
 * hosts does not matter. Every write is conditional on the version read, so two relays never both acquire.
 *
 * <p>The gate's {@link Lease} (half the duration, counted from before the read) ends well before any other relay can
 * acquire: that relay saw the renewed record only after it was written and waits a full duration. A relay resumed
 * after a freeze finds its gate lease run out and confirms here first: one read, and a renewal only when the Lease
 * still names it (a conditional update, refused if anyone changed it since the read).
 */
final class LeaseCoordination implements Coordination {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseCoordination.class);
    /** The watch runs every second (routes/05-leadership.yaml): a gap of 3 s between two runs is a pause of the relay. */
    private static final Duration WATCH_PAUSE = Duration.ofSeconds(3);
    private static final int CONFLICT = 409;

    private final ClusterConfig cluster;
    private final LeaseStore store;
    private final LeaderSightings sightings;
    private final Lease lease;
    private final LongSupplier clock;
    private final int durationSeconds;
    /** whether this relay is cut off from the API server (coordination-lost), on the clock */
    private final CutOff cutOff;
    /** reached again after coordination-lost was reported: reported by the next watch */
    private volatile boolean restored;
    private volatile String disconnectedSince = Instant.now().toString();
    private volatile String lastError;
    /** the Lease as last read or written, and since when (clock) this relay sees that version; guarded by this */
    private LeaseStore.Held seen;
    private long seenAt;

    LeaseCoordination(ClusterConfig cluster, LeaseStore store, LeaderSightings sightings, Lease lease, LongSupplier clock) {
        this.cluster = cluster;
        this.store = store;
        this.sightings = sightings;
        this.lease = lease;
        this.clock = clock;
        this.durationSeconds = (int) cluster.sessionTimeout().toSeconds();
        this.cutOff = new CutOff(cluster.sessionTimeout().toNanos(), WATCH_PAUSE.toNanos(), clock.getAsLong());
        // no connection to wait for (each heartbeat is a request of its own): cut off once a request went unanswered,
        // not while the first one (a slow start-up) is still to come
        cutOff.connected();
    }

    @Override
    public String id() {
        return "kubernetes";
    }

    @Override
    public String name() {
        return "the Kubernetes API server";
    }

    @Override
    public synchronized boolean confirm() {
        LeaseStore.Held current;
        try {
            current = store.read();
            reached();
        } catch (KubernetesClientException e) {
            unreachable(e);
            return false;
        }
        long now = clock.getAsLong();
        see(current, now);
        String self = cluster.instance();
        try {
            if (current == null) {
                see(store.create(self, durationSeconds), now);
                return true;
            }
            if (self.equals(current.holder())) {
                see(store.write(self, durationSeconds, false), now);
                return true;
            }
            if (current.free() || expired(now)) {
                LOG.info("cluster {}: Lease {} {}: {} acquires it", cluster.name(), store.where(),
                        current.free() ? "is free" : "held by " + current.holder() + " expired", self);
                see(store.write(self, durationSeconds, true), now);
                return true;
            }
            return false;
        } catch (KubernetesClientException e) {
            if (e.getCode() == CONFLICT) {
                LOG.debug("cluster {}: Lease {} changed since it was read: {}", cluster.name(), store.where(), e.getMessage());
                return false;
            }
            unreachable(e);
            return false;
        }
    }

    /** Whether the Lease as seen has gone unrenewed for a lease duration (its own, if longer) on this relay's clock. */
    private boolean expired(long now) {
        long duration = Math.max(cluster.sessionTimeout().toNanos(), TimeUnit.SECONDS.toNanos(seen.durationSeconds()));
        return now - seenAt >= duration;
    }

    private void see(LeaseStore.Held current, long now) {
        if (current == null || seen == null || !current.version().equals(seen.version())) {
            seenAt = now;
        }
        seen = current;
    }

    /** Who holds the Lease as last read; null when nobody does or it expired. */
    private synchronized String holder(long now) {
        return seen == null || seen.free() || expired(now) ? null : seen.holder();
    }

    private void reached() {
        lastError = null;
        if (cutOff.connected()) {
            LOG.info("cluster {}: {} reaches the Kubernetes API server again", cluster.name(), cluster.instance());
            restored = true;
        }
    }

    /** The API server did not answer: no write goes out before it confirms this relay again. */
    private void unreachable(KubernetesClientException e) {
        lastError = e.getCode() > 0 ? "HTTP " + e.getCode() + " " + e.getMessage() : String.valueOf(e.getMessage());
        if (!cutOff.isDisconnected()) {
            disconnectedSince = Instant.now().toString();
        }
        cutOff.disconnected(clock.getAsLong());
        lease.end();
        LOG.debug("cluster {}: Lease {} not reachable: {}", cluster.name(), store.where(), lastError);
    }

    @Override
    public boolean isConnected() {
        return !cutOff.isDisconnected();
    }

    @Override
    public List<ClusterChange> watch() {
        cutOff.tick(clock.getAsLong());
        List<ClusterChange> changes = new ArrayList<>();
        if (restored) {
            restored = false;
            changes.add(new ClusterChange(ClusterChange.Kind.COORDINATION_RESTORED, cluster.instance(), null, name()));
        }
        long now = clock.getAsLong();
        if (isConnected()) {
            sightings.seen(holder(now));
        } else if (cutOff.report(now)) {
            LOG.error("cluster {}: {} cut off from the Kubernetes API server (Lease {}: {}) since {}: no relay writes"
                    + " until it is back", cluster.name(), cluster.instance(), store.where(), lastError, disconnectedSince);
            changes.add(new ClusterChange(ClusterChange.Kind.COORDINATION_LOST, cluster.instance(), disconnectedSince, name()));
        }
        return changes;
    }

    @Override
    public void rejoinWith(Runnable rejoin) {
        // every relay's heartbeat takes part: nothing to re-enter
    }

    @Override
    public synchronized String election() {
        return "Lease " + store.where() + (seen == null ? "" : " version " + seen.version() + ", transitions "
                + seen.transitions());
    }

    /** GET /api/cluster's kubernetes part. */
    @Override
    public void view(Map<String, Object> out) {
        out.put("lease", store.where());
        out.put("state", isConnected() ? "CONNECTED" : "UNREACHABLE");
        out.put("disconnectedSince", isConnected() ? null : disconnectedSince);
        out.put("lastError", lastError);
        out.put("leaseDurationMs", cluster.sessionTimeout().toMillis());
        out.put("holder", holder(clock.getAsLong()));
    }
}
