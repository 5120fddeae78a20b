package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.support.Failures;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;
import dev.sentinelrelay.destinations.Destination;
import dev.sentinelrelay.destinations.Pipeline;
import dev.sentinelrelay.destinations.haproxy.HaproxySync;
import dev.sentinelrelay.destinations.DestinationLedger;
import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.destinations.haproxy.ServerState;
import dev.sentinelrelay.destinations.haproxy.Snapshot;
import dev.sentinelrelay.resolve.MasterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The read pool destination's planner and ledger (routes/42-read-pool.yaml): judges each master's nodes from what the
 * sentinels and the verified master say, plans each HAProxy's read backend from its read-back, and keeps what
 * happened for the API and the metrics (the read pool's own view, not the master's last change).
 */
public final class ReadPools implements Destination<ReadPoolTask>, DestinationLedger {

    private static final Logger LOG = LoggerFactory.getLogger(ReadPools.class);
    public static final Pipeline PIPELINE = new Pipeline("read-pool", "readPools", "readPoolLatest", "readPools",
            HaproxySync.RUNTIME_API, HaproxySync.RUNTIME_API, "read-pool-retries");

    private final RelayConfig config;
    private final MasterResolver resolver;
    /** The master's current routing: the last verified (or fenced) master its resolver decided. */
    private final Function<String, Routing> routings;
    private final Map<String, ReadPool> pools = new ConcurrentHashMap<>();
    /** endpoint/master -> what the endpoint's read backend holds or lacks. */
    private final Map<String, EndpointView> views = new ConcurrentHashMap<>();
    /** Servers and nodes already reported as unknown or missing, so each is logged once. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /**
     * One HAProxy's read backend for one master.
     *
     * @param size       servers taking reads (after the last write, or as read back)
     * @param inStep     the backend serves exactly the pool
     * @param wouldWrite what a relay that does not write would have sent; null when nothing
     * @param error      why the last attempt failed; null when it did not
     */
    record EndpointView(int size, boolean inStep, List<HostPort> missing, String wouldWrite, String error) {
    }

    public ReadPools(RelayConfig config, MasterResolver resolver, Function<String, Routing> routings) {
        this.config = config;
        this.resolver = resolver;
        this.routings = routings;
    }

    /** True when the master has a read pool ({@code relay.haproxy.<master>.read-backend}). */
    public boolean follows(String master) {
        return config.readPools().containsKey(master);
    }

    /** One task per HAProxy endpoint for a master with a read pool; none otherwise. */
    @Override
    public List<ReadPoolTask> tasks(Routing routing) {
        if (!follows(routing.name())) {
            return List.of();
        }
        return config.haproxyEndpoints().stream().map(e -> new ReadPoolTask(e, routing, null, null)).toList();
    }

    /** When its turn comes: who serves the master's reads now (what the sentinels and the master say then). */
    @Override
    public ReadPoolTask prepare(ReadPoolTask task) {
        return new ReadPoolTask(task.endpoint(), task.routing(), decide(task.routing().name()), null);
    }

    /** Who serves the master's reads now; logs every node that joins or leaves. */
    private ReadPool decide(String master) {
        ReadPoolTarget target = config.readPools().get(master);
        Routing routing = routings.apply(master);
        List<List<ReplicaReport>> answers = resolver.replicaLists(master).stream().map(this::reports).toList();
        ReplicationOffsets offsets = offsets(routing, target);
        // the endpoints' queues decide on their own threads: one compares with the pool before it at a time (the
        // questions to the servers above are asked outside the lock)
        synchronized (pools) {
            ReadPool pool = ReadPoolDecision.decide(master, target, routing, answers, answers.size(), offsets,
                    pools.get(master));
            logChanges(pools.put(master, pool), pool);
            return pool;
        }
    }

    /** The master's offsets, asked only of a verified, unfenced master and only when the lag is checked. */
    private ReplicationOffsets offsets(Routing routing, ReadPoolTarget target) {
        if (routing == null || routing.fenced() || target.maxLagBytes() == 0) {
            return null;
        }
        try {
            return ReplicationOffsets.parse(resolver.replicationInfo(routing.master()));
        } catch (RuntimeException e) {
            LOG.warn("read pool of {}: cannot read the replication offsets of {}: {}", routing.name(), routing.master(),
                    e.getMessage());
            return null;
        }
    }

    /** A sentinel's rows; a row without a valid address is dropped and logged (the sentinel vouches for nothing). */
    private List<ReplicaReport> reports(List<Map<String, String>> rows) {
        if (rows == null) {
            return null;
        }
        List<ReplicaReport> reports = new ArrayList<>();
        for (Map<String, String> row : rows) {
            try {
                reports.add(ReplicaReport.of(row));
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring a SENTINEL REPLICAS row without a valid address: {}", e.getMessage());
            }
        }
        return reports;
    }

    private static void logChanges(ReadPool before, ReadPool after) {
        for (PoolMember m : after.members()) {
            PoolMember was = before == null ? null : before.member(m.address().host(), m.address().port()).orElse(null);
            if (was == null || was.in() != m.in() || !was.role().equals(m.role())) {
                LOG.info("read pool of {}: {} {} {} ({})", after.master(), m.role(), m.address(),
                        m.in() ? "in" : "out", m.reason());
            }
        }
    }

    @Override
    public String readBackRequest(ReadPoolTask task) {
        return task.readBackCommand();
    }

    /** From the read backend's read-back: the task with what to change (nothing when in step). */
    @Override
    public ReadPoolTask afterReadBack(ReadPoolTask task, Object reply) {
        List<ServerState> servers = Snapshot.parse((String) reply).backend(task.pool().target().backend());
        if (servers.isEmpty()) {
            throw new IllegalStateException("HAProxy has no backend " + task.pool().target().backend() + " or it has no servers");
        }
        ReadPoolPlan plan = ReadPoolPlan.of(task.pool(), servers);
        reportOnce(task, "has a server at an address no sentinel knows (kept out)", plan.unknown());
        reportOnce(task, "lacks a server for", plan.missing().stream().map(HostPort::toString).toList());
        return new ReadPoolTask(task.endpoint(), task.routing(), task.pool(), plan);
    }

    private void reportOnce(ReadPoolTask task, String what, List<String> items) {
        for (String item : items) {
            if (reported.add(task.key() + " " + what + " " + item)) {
                LOG.warn("read backend {} on {} {} {}", task.pool().target().backend(), task.endpoint().id(), what, item);
            }
        }
    }

    /** Ready the servers going in, then maint (and cut) or drain those going out. */
    @Override
    public String writeRequest(ReadPoolTask task) {
        return task.commandLine();
    }

    @Override
    public void applied(ReadPoolTask task) {
        LOG.info("haproxy read backend updated: {} on {} serves {}", task.pool().master(), task.endpoint().id(),
                task.pool().in());
    }

    /** The read-back or the write failed: nothing dead-lettered, the next trigger or reconcile tries again. */
    @Override
    public String failed(ReadPoolTask task, Exception cause) {
        return String.valueOf(Failures.withoutCamelWrappers(cause).getMessage());
    }

    @Override
    public void reportInStep(DestinationTask task) {
        ReadPoolPlan plan = ((ReadPoolTask) task).plan();
        views.put(task.key(), new EndpointView(plan.size(), true, plan.missing(), null, null));
    }

    @Override
    public void reportApplied(DestinationTask task) {
        reportInStep(task);
    }

    /** A relay that does not write (standby, observer) found the backend out of step. */
    @Override
    public void reportWouldChange(DestinationTask task) {
        ReadPoolPlan plan = ((ReadPoolTask) task).plan();
        views.put(task.key(), new EndpointView(plan.size(), false, plan.missing(), String.join("; ", plan.commands()), null));
    }

    /** Shown on the API until the backend is in step again; the same failure at every reconcile is logged once. */
    @Override
    public void reportFailed(DestinationTask task, String reason) {
        EndpointView before = views.get(task.key());
        views.put(task.key(), new EndpointView(before == null ? 0 : before.size(), false,
                before == null ? List.of() : before.missing(), null, reason));
        if (before == null || !reason.equals(before.error())) {
            LOG.warn("haproxy read backend update failed: {}: {} (tried again at the next trigger or reconcile)", task, reason);
        }
    }

    /** Servers taking reads for the master on the endpoint; NaN when not known yet. */
    public double size(String master, HaproxyEndpoint endpoint) {
        EndpointView view = views.get(endpoint.id() + "/" + master);
        return view == null ? Double.NaN : view.size();
    }

    /** The master's read pool for the API; null when it has none. */
    public Map<String, Object> view(String master) {
        ReadPoolTarget target = config.readPools().get(master);
        if (target == null) {
            return null;
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("backend", target.backend());
        v.put("includeMaster", target.includeMaster());
        v.put("maxLagBytes", target.maxLagBytes());
        v.put("drain", target.drain());
        ReadPool pool = pools.get(master);
        List<Object> nodes = new ArrayList<>();
        if (pool != null) {
            for (PoolMember m : pool.members()) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("address", m.address().toString());
                n.put("role", m.role());
                n.put("in", m.in());
                n.put("reason", m.reason());
                nodes.add(n);
            }
        }
        v.put("nodes", nodes);
        Map<String, Object> endpoints = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
            EndpointView view = views.get(endpoint.id() + "/" + master);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("size", view == null ? null : view.size());
            e.put("inStep", view != null && view.inStep());
            e.put("wouldWrite", view == null ? null : view.wouldWrite());
            e.put("error", view == null ? null : view.error());
            endpoints.put(endpoint.id(), e);
            if (view != null) {
                view.missing().stream().map(HostPort::toString).filter(a -> !missing.contains(a)).forEach(missing::add);
            }
        }
        v.put("missing", missing);
        v.put("endpoints", endpoints);
        return v;
    }
}
