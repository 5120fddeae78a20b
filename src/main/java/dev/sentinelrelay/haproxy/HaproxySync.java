package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.RelayHealth;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.sentinel.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows what each HAProxy endpoint holds for each master, as last written or read back, and turns a verified
 * master into the tasks that bring the endpoints in step. Writing the same master twice is harmless; skipping
 * it when the endpoint already holds it keeps the three sentinels' copies of one event from cutting sessions thrice.
 */
public final class HaproxySync {

    private static final Logger LOG = LoggerFactory.getLogger(HaproxySync.class);

    private final RelayConfig config;
    private final RelayHealth health;
    private final Map<String, HostPort> held = new ConcurrentHashMap<>();

    public HaproxySync(RelayConfig config, RelayHealth health) {
        this.config = config;
        this.health = health;
    }

    /** One task per endpoint that may not hold the verified master; none when all are known to hold it. */
    public List<HaproxyTask> tasks(Verdict verdict) {
        List<HaproxyTask> tasks = new ArrayList<>();
        for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
            HostPort known = held.get(HaproxyTask.key(endpoint, verdict.name()));
            boolean readBack = verdict.trigger().isReconcile() || known == null;
            if (readBack || !known.equals(verdict.master())) {
                tasks.add(new HaproxyTask(endpoint, config.haproxyTargets().get(verdict.name()), verdict, readBack,
                        config.haproxyTimeout().toMillis()));
            }
        }
        return tasks;
    }

    /** Records what {@code show servers state} says the endpoint holds; true when it already routes to the master. */
    public boolean inStep(HaproxyTask task, String reply) {
        ServerState state = ServerState.find(reply, task.target().backend(), task.target().server())
                .orElseThrow(() -> new IllegalStateException(task.endpoint().id() + " has no server "
                        + task.target().backend() + "/" + task.target().server()));
        boolean inStep = state.pointsAt(task.verdict().master());
        if (inStep) {
            held.put(task.key(), task.verdict().master());
        } else {
            LOG.warn("{} drifted: holds {}:{}{}, verified master is {}", task, state.address(), state.port(),
                    state.serving() ? "" : " (not serving)", task.verdict().master());
            held.remove(task.key());
        }
        return inStep;
    }

    public void applied(HaproxyTask task) {
        HostPort before = held.put(task.key(), task.verdict().master());
        double millis = (System.nanoTime() - task.verdict().trigger().receivedNanos()) / 1e6;
        LOG.info("haproxy updated: {} {} -> {} on {} ({}) {} ms after {}", task.verdict().name(),
                before == null ? "?" : before, task.verdict().master(), task.endpoint().id(), task.endpoint(),
                String.format("%.1f", millis), task.verdict().trigger());
    }

    public void failed(HaproxyTask task, Exception cause) {
        held.remove(task.key());
        LOG.error("haproxy update failed after retries: {}: {}", task, cause.getMessage());
    }

    /** After all endpoints were handled: the relay counts as reconciled for this master once every one is in step. */
    public void settled(Verdict verdict) {
        boolean all = config.haproxyEndpoints().stream()
                .allMatch(e -> verdict.master().equals(held.get(HaproxyTask.key(e, verdict.name()))));
        if (all) {
            health.reconciled(verdict.name());
        }
    }
}
