package dev.sentinelrelay.destinations.consul;

import dev.sentinelrelay.support.Failures;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.ConsulConfig;
import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.destinations.Destination;
import dev.sentinelrelay.destinations.Pipeline;
import dev.sentinelrelay.destinations.RoutingFailure;
import dev.sentinelrelay.destinations.Write;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Consul destination's planner (routes/45-consul.yaml): what the catalog must hold for a routing, whether it
 * already does (as last written or read back), and what happens after the last retry. Level-triggered like HAProxy:
 * writing the same routing twice is harmless; a reconcile reads the catalog back and writes only when it drifted.
 */
public final class ConsulSync implements Destination<ConsulTask> {

    private static final Logger LOG = LoggerFactory.getLogger(ConsulSync.class);
    public static final String DESTINATION = "consul";
    /** Its one queue (route and thread seda://consul-queue); direct:consul is the destination's entry. */
    public static final String QUEUE = "consul-queue";
    public static final Pipeline PIPELINE = new Pipeline("consul", "consulSync", "consulLatest", "relayState",
            "direct:consul-read", "direct:consul-write", "consul-retries");

    private final ConsulConfig config;
    /** master -> {@link Routing#holding()} known to be in the catalog. */
    private final Map<String, String> held = new ConcurrentHashMap<>();

    public ConsulSync(ConsulConfig config) {
        this.config = config;
    }

    /** What the catalog is known to hold for the master ({@link Routing#holding()}); null when not known. */
    public String holding(String master) {
        return held.get(master);
    }

    /** One task while Consul is configured (relay.consul.url); none otherwise. */
    @Override
    public List<ConsulTask> tasks(Routing routing) {
        return config == null ? List.of() : List.of(new ConsulTask(target(routing), routing, false, Write.FULL));
    }

    /** Every routing is written (Consul holds one service per master); a reconcile reads the catalog back first. */
    @Override
    public ConsulTask prepare(ConsulTask task) {
        return new ConsulTask(task.target(), task.routing(), task.routing().trigger().readBack(), Write.FULL);
    }

    /** The service to read back from the catalog. */
    @Override
    public String readBackRequest(ConsulTask task) {
        return task.target().service();
    }

    /** After reading the service back: nothing to write when in step. */
    @Override
    @SuppressWarnings("unchecked")
    public ConsulTask afterReadBack(ConsulTask task, Object catalog) {
        ConsulTarget target = task.target();
        Routing routing = task.routing();
        List<CatalogService> entries = catalog == null ? List.of() : (List<CatalogService>) catalog;
        if (ConsulRegistration.inStep(entries, target, routing)) {
            held.put(routing.name(), routing.holding());
            return task.writing(Write.NONE);
        }
        held.remove(routing.name());
        LOG.warn("consul drifted: service {} on node {} holds {}, not {}", target.service(), target.node(),
                ConsulRegistration.describe(entries, target), routing.holding());
        return task.writing(Write.FULL);
    }

    /** The catalog change: a registration of the master, or the deregistration of a fenced one. */
    @Override
    public Object writeRequest(ConsulTask task) {
        return task.routing().fenced() ? ConsulRegistration.deregister(task.target(), config.datacenter())
                : ConsulRegistration.register(task.target(), task.routing().master(), config.datacenter());
    }

    @Override
    public void applied(ConsulTask task) {
        Routing routing = task.routing();
        String before = held.put(routing.name(), routing.holding());
        ConsulTarget target = task.target();
        double millis = (System.nanoTime() - routing.trigger().receivedNanos()) / 1e6;
        LOG.info("consul updated: {} {} -> {} (service {} on node {}) {} ms after {}", routing.name(),
                before == null ? "?" : before, routing.fenced() ? "deregistered, " + routing.holding() : routing.holding(),
                target.service(), target.node(), String.format("%.1f", millis), routing.trigger());
    }

    /** Before each retry: the failure, token masked (Camel's own retry line would print the token). */
    public void retrying(int attempt, Exception cause) {
        LOG.warn("consul attempt {} failed, retrying: {}", attempt, cause == null ? "?" : reason(cause));
    }

    /** After the last retry: the dead letter names Consul, the master's service, what it was to hold and why not. */
    @Override
    public DeadLetter deadLetter(ConsulTask task, Exception cause) {
        Routing routing = task.routing();
        return RoutingFailure.deadLetter(DESTINATION + " (" + config.url() + ")", routing,
                Map.of("service", task.target().service()), reason(cause));
    }

    /** After the last retry (dead-lettered by then): the next reconcile reads back and retries. Returns the reason. */
    @Override
    public String failed(ConsulTask task, Exception cause) {
        Routing routing = task.routing();
        held.remove(routing.name());
        String reason = reason(cause);
        LOG.error("consul update failed after retries: {} at {}: {} (to hold {} after {})", routing.name(), config.url(),
                reason, routing.holding(), routing.trigger());
        return reason;
    }

    /**
     * The client's failure (which names the request) and its root cause (what went wrong: connection refused, a
     * timeout), not Camel's wrappers; the ACL token masked, since the client puts it in the URL it reports.
     */
    String reason(Throwable failure) {
        String text = Failures.describe(failure);
        if (text.contains("403") || text.contains("Forbidden")) {
            text += "; check relay.consul.token: Consul refused it";
        }
        return config.token() == null ? text : text.replace(config.token(), config.maskedToken());
    }

    private ConsulTarget target(Routing routing) {
        return config.targets().get(routing.name());
    }
}
