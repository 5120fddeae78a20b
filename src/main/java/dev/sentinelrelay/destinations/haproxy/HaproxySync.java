package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.support.Failures;
import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.destinations.Destination;
import dev.sentinelrelay.destinations.Pipeline;
import dev.sentinelrelay.destinations.RoutingFailure;
import dev.sentinelrelay.destinations.Write;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The HAProxy destination's planner (routes/40-haproxy.yaml): knows what each HAProxy endpoint holds for each master,
 * as last written or read back, and turns a routing into the tasks that bring the endpoints in step. Writing the same
 * routing twice is harmless; skipping it when the endpoint already holds it keeps the three sentinels' copies of one
 * event from cutting sessions thrice.
 */
public final class HaproxySync implements Destination<HaproxyTask> {

    private static final Logger LOG = LoggerFactory.getLogger(HaproxySync.class);
    /** The runtime API round trip (routes/40-haproxy.yaml): HAProxy's reads and writes, the read pool's too. */
    public static final String RUNTIME_API = "direct:haproxy-runtime-api";
    public static final Pipeline PIPELINE = new Pipeline("haproxy", "haproxySync", "haproxyLatest", "relayState",
            RUNTIME_API, RUNTIME_API, "haproxy-retries");

    private final RelayConfig config;
    private final RelayHealth health;
    private final Map<String, ModePlan> plans = new ConcurrentHashMap<>();
    /** endpoint/master -> {@link Routing#holding()} known to be in HAProxy. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    /** endpoint/master -> last snapshot read back (server addresses, map entries). */
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    /** endpoint/master pairs the relay has written to since start-up. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    /** Whether this relay writes now (leadership.mayWrite): one that does not also leaves the map file alone. */
    private final BooleanSupplier mayWrite;

    public HaproxySync(RelayConfig config, RelayHealth health, BooleanSupplier mayWrite) {
        this.config = config;
        this.health = health;
        this.mayWrite = mayWrite;
        config.haproxyTargets().forEach((master, target) -> plans.put(master, ModePlan.of(master, target)));
    }

    /** One task per endpoint, each decided only by {@link #prepare} when its turn comes. */
    @Override
    public List<HaproxyTask> tasks(Routing routing) {
        ModePlan plan = plans.get(routing.name());
        return config.haproxyEndpoints().stream().map(e -> new HaproxyTask(e, plan, routing, false, Write.FULL)).toList();
    }

    /**
     * Decides, when the endpoint's turn comes, whether the task is needed: null when the endpoint is known to hold
     * the routing already; otherwise the task, reading back first when the relay does not know what the endpoint
     * holds (or needs a snapshot, or this is a reconcile).
     */
    @Override
    public HaproxyTask prepare(HaproxyTask task) {
        String key = task.key();
        Routing routing = task.routing();
        boolean readBack = routing.trigger().readBack() || !held.containsKey(key)
                || (task.plan().needsSnapshot() && !snapshots.containsKey(key));
        if (!readBack && routing.holding().equals(held.get(key))) {
            return null;
        }
        return new HaproxyTask(task.endpoint(), task.plan(), routing, readBack, Write.FULL);
    }

    @Override
    public String readBackRequest(HaproxyTask task) {
        return RuntimeCommands.line(task.plan().readBack());
    }

    /** Records what the endpoint holds, from the reply to the read-back command; true when already in step. */
    public boolean observe(HaproxyTask task, String reply) {
        Snapshot snapshot = Snapshot.parse(reply);
        snapshots.put(task.key(), snapshot);
        boolean inStep = task.plan().inStep(snapshot, task.routing());
        if (inStep) {
            held.put(task.key(), task.routing().holding());
            if (mayWrite.getAsBoolean()) {
                persist(task, snapshot);
            }
        } else {
            LOG.warn("{} drifted: does not hold {}", task, task.routing().holding());
            held.remove(task.key());
        }
        return inStep;
    }

    /**
     * After the read-back round trip: records what the endpoint holds and says what to write: nothing when in step
     * and written to since start-up, once the routing without the session cuts ({@link Write#CHECK}) when in step
     * but never written to, else all of it.
     */
    @Override
    public HaproxyTask afterReadBack(HaproxyTask task, Object reply) {
        if (!observe(task, (String) reply)) {
            return task.writing(Write.FULL);
        }
        return task.writing(written.contains(task.key()) ? Write.NONE : Write.CHECK);
    }

    /** The command line that brings the endpoint to the task's routing (without the session cuts for CHECK). */
    @Override
    public String writeRequest(HaproxyTask task) {
        Snapshot snapshot = snapshots.get(task.key());
        if (snapshot == null && task.plan().needsSnapshot()) {
            throw new IllegalStateException("nothing read back from " + task.endpoint().id() + " yet");
        }
        List<String> commands = task.plan().commands(snapshot, task.routing());
        if (task.write() == Write.CHECK) {
            commands = commands.stream().filter(c -> !c.startsWith("shutdown sessions")).toList();
        }
        return RuntimeCommands.line(commands);
    }

    /** After the write round trip: records what the endpoint holds now. */
    @Override
    public void applied(HaproxyTask task) {
        written.add(task.key());
        if (task.write() == Write.CHECK) {
            LOG.info("{} accepts runtime API writes (rewrote {} without cutting sessions)", task, task.routing().holding());
            return;
        }
        String before = held.put(task.key(), task.routing().holding());
        if (task.plan() instanceof MapPlan map) {
            Snapshot snapshot = snapshots.get(task.key());
            Snapshot after = snapshot.withMapEntry(map.master(), map.value(snapshot, task.routing()));
            snapshots.put(task.key(), after);
            persist(task, after);
        }
        double millis = (System.nanoTime() - task.routing().trigger().receivedNanos()) / 1e6;
        LOG.info("haproxy updated: {} {} -> {} on {} ({}) {} ms after {}", task.routing().name(),
                before == null ? "?" : before, task.routing().holding(), task.endpoint().id(), task.endpoint(),
                String.format("%.1f", millis), task.routing().trigger());
    }

    /** After the last retry: the dead letter names the endpoint, the master, what it was to hold and why not. */
    @Override
    public DeadLetter deadLetter(HaproxyTask task, Exception cause) {
        return RoutingFailure.deadLetter(task.endpoint().id() + " (" + task.endpoint() + ")", task.routing(), Map.of(),
                reason(cause));
    }

    /** After the last retry (dead-lettered by then): forgets what the endpoint holds; the reconcile reads it back. */
    @Override
    public String failed(HaproxyTask task, Exception cause) {
        held.remove(task.key());
        snapshots.remove(task.key());
        LOG.error("haproxy update failed after retries: {}: {} (to hold {} after {})", task, reason(cause),
                task.routing().holding(), task.routing().trigger());
        return reason(cause);
    }

    /** The failure itself, not Camel's "failed to invoke method ..." wrapper around it. */
    static String reason(Throwable failure) {
        return String.valueOf(Failures.withoutCamelWrappers(failure).getMessage());
    }

    /**
     * A new leader (routes/05-leadership.yaml) trusts nothing it learnt while another relay wrote: every endpoint is
     * read back before its next write, as at start-up.
     */
    public void forget() {
        held.clear();
        snapshots.clear();
    }

    /** What the endpoint is known to hold for the master ({@link Routing#holding()}); null when not known. */
    public String holding(HaproxyEndpoint endpoint, String master) {
        return held.get(HaproxyTask.keyOf(endpoint, master));
    }

    /**
     * After all endpoints were handled: the relay counts as reconciled for this master once every one is in step;
     * one that does not write (observing, a standby) once every one was read back, since it knows then what each
     * holds and an HAProxy that disagrees is what it reports, not something it can fix.
     */
    @Override
    public void settled(HaproxyTask task) {
        Routing routing = task.routing();
        boolean all = config.haproxyEndpoints().stream().map(e -> HaproxyTask.keyOf(e, routing.name()))
                .allMatch(key -> routing.holding().equals(held.get(key))
                        || snapshots.containsKey(key) && !mayWrite.getAsBoolean());
        if (all) {
            health.reconciled(routing.name());
        }
    }

    /** Map mode: the map file on disk names what the runtime map holds, so a restarted HAProxy keeps it. */
    private void persist(HaproxyTask task, Snapshot snapshot) {
        if (task.plan() instanceof MapPlan map) {
            HaproxyTarget target = map.target();
            MapFile.put(Path.of(target.mapFile()), map.master(), map.value(snapshot, task.routing()));
        }
    }
}
