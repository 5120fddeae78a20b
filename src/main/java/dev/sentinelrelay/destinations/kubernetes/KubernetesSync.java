package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.configuration.KubernetesConfig;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.destinations.Destination;
import dev.sentinelrelay.destinations.Pipeline;
import dev.sentinelrelay.destinations.RoutingFailure;
import dev.sentinelrelay.destinations.Write;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.support.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kubernetes destination's planner (routes/47-kubernetes.yaml): per master, what its Service and EndpointSlice
 * must hold for a routing ({@link ServiceObjects}), whether they already do (as last written or read back), and what
 * happens after the last retry. Level-triggered: a reconcile reads both back and writes only when they drifted.
 */
public final class KubernetesSync implements Destination<KubernetesTask> {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSync.class);
    public static final String DESTINATION = "kubernetes";
    /** Its one queue (seda://kubernetes-queue); direct:kubernetes is the destination's entry. */
    public static final String QUEUE = "kubernetes-queue";
    public static final Pipeline PIPELINE = new Pipeline("kubernetes", "kubernetesSync", "kubernetesLatest",
            "relayState", "direct:kubernetes-read", "direct:kubernetes-write", "kubernetes-retries");

    /** master -> where its Service is; empty while Kubernetes is off. */
    private final Map<String, KubernetesTarget> targets;
    /** master -> {@link Routing#holding()} known to be in its slice. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    /** master -> the reason of its last failure, logged once until it changes or the master is in step again. */
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    /** @param namespace the namespace the client resolved (relay.kubernetes.namespace, or the client's own) */
    public KubernetesSync(KubernetesConfig config, String namespace) {
        Map<String, KubernetesTarget> byMaster = new LinkedHashMap<>();
        if (config != null) {
            config.services().forEach((master, service) ->
                    byMaster.put(master, new KubernetesTarget(namespace, service, config.servicePort())));
        }
        this.targets = Map.copyOf(byMaster);
    }

    /** What the master's slice is known to hold ({@link Routing#holding()}); null when not known. */
    public String holding(String master) {
        return held.get(master);
    }

    /** One task per routing while Kubernetes is on (relay.kubernetes.enabled); none otherwise. */
    @Override
    public List<KubernetesTask> tasks(Routing routing) {
        KubernetesTarget target = targets.get(routing.name());
        return target == null ? List.of() : List.of(new KubernetesTask(target, routing, false, Write.FULL));
    }

    /** Nothing to do when the slice is known to hold the routing; read back when not known, or on a reconcile. */
    @Override
    public KubernetesTask prepare(KubernetesTask task) {
        Routing routing = task.routing();
        boolean readBack = routing.trigger().readBack() || !held.containsKey(routing.name());
        if (!readBack && routing.holding().equals(held.get(routing.name()))) {
            return null;
        }
        return new KubernetesTask(task.target(), routing, readBack, Write.FULL);
    }

    @Override
    public KubernetesTarget readBackRequest(KubernetesTask task) {
        return task.target();
    }

    /**
     * After reading the Service and slice back: nothing to write when both are in step. An object of the master's
     * name that is not the relay's fails the task at once (not retried): it is never written.
     */
    @Override
    public KubernetesTask afterReadBack(KubernetesTask task, Object answer) {
        Observed observed = (Observed) answer;
        KubernetesTarget target = task.target();
        if (observed.service() != null && !ServiceObjects.serviceManaged(observed.service())) {
            throw KubernetesRefusal.notOurs("Service", target.namespace(), target.service(), ServiceObjects.MANAGED_BY);
        }
        if (observed.slice() != null && !ServiceObjects.sliceManaged(observed.slice())) {
            throw KubernetesRefusal.notOurs("EndpointSlice", target.namespace(), target.service(), ServiceObjects.SLICE_MANAGED_BY);
        }
        Routing routing = task.routing();
        if (ServiceObjects.serviceInStep(observed.service(), target)
                && ServiceObjects.sliceInStep(observed.slice(), target, routing)) {
            held.put(routing.name(), routing.holding());
            failing.remove(routing.name());
            return task.writing(Write.NONE);
        }
        held.remove(routing.name());
        LOG.warn("kubernetes drifted: service {} {}, its slice holds {}, not {}", target,
                observed.service() == null ? "missing" : "present", ServiceObjects.describe(observed.slice()),
                routing.holding());
        return task.writing(Write.FULL);
    }

    /** The Service and the slice the routing needs. */
    @Override
    public Desired writeRequest(KubernetesTask task) {
        KubernetesTarget target = task.target();
        return new Desired(target, ServiceObjects.service(target, task.routing().name()),
                ServiceObjects.slice(target, task.routing()));
    }

    @Override
    public void applied(KubernetesTask task) {
        Routing routing = task.routing();
        String before = held.put(routing.name(), routing.holding());
        failing.remove(routing.name());
        double millis = (System.nanoTime() - routing.trigger().receivedNanos()) / 1e6;
        LOG.info("kubernetes updated: {} {} -> {} (service {}) {} ms after {}", routing.name(),
                before == null ? "?" : before, routing.fenced() ? "no ready endpoint, " + routing.holding() : routing.holding(),
                task.target(), String.format("%.1f", millis), routing.trigger());
    }

    /**
     * A new leader (routes/05-leadership.yaml) trusts nothing it learnt while another relay wrote: every master's
     * objects are read back before its next write.
     */
    public void forget() {
        held.clear();
    }

    /** Before each retry (a refusal is not retried). */
    public void retrying(int attempt, Exception cause) {
        LOG.warn("kubernetes attempt {} failed, retrying: {}", attempt, cause == null ? "?" : reason(cause));
    }

    /** After the last retry (or at once for a refusal): the dead letter names the Service, what it was to hold, why not. */
    @Override
    public DeadLetter deadLetter(KubernetesTask task, Exception cause) {
        return RoutingFailure.deadLetter(DESTINATION + " (" + task.target() + ")", task.routing(),
                Map.of("service", task.target().toString()), reason(cause));
    }

    /**
     * After the last retry (dead-lettered by then): the next reconcile reads back and tries again. Logged as an
     * error once per master and reason, not at every reconcile. Returns the reason.
     */
    @Override
    public String failed(KubernetesTask task, Exception cause) {
        Routing routing = task.routing();
        held.remove(routing.name());
        String reason = reason(cause);
        if (!Objects.equals(failing.put(routing.name(), reason), reason)) {
            LOG.error("kubernetes update failed: {} service {}: {} (to hold {} after {})", routing.name(),
                    task.target(), reason, routing.holding(), routing.trigger());
        } else {
            LOG.debug("kubernetes update failed again: {}: {}", routing.name(), reason);
        }
        return reason;
    }

    /** A refusal says it all; otherwise the client's failure and its root cause, not Camel's wrappers. */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KubernetesRefusal) {
                return t.getMessage();
            }
        }
        return Failures.describe(failure);
    }
}
