package dev.sentinelrelay.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The relay's own meters in Camel's metrics registry (bean {@code metricsRegistry}, scraped by GET /metrics): what
 * it received, refused and applied, how fast a failover reached each destination, and what failed. Counters are
 * created on first use, so a label value appears once it happened; gauges read the current value at every scrape.
 * Declared in Java, not as micrometer: route steps, because Java computes their values (gauges of live state, the
 * propagation time from the ledger) and a timer endpoint cannot set the histogram's buckets.
 */
public final class RelayMetrics {

    /** Buckets of the propagation histogram: a followed failover takes a few milliseconds here. */
    private static final Duration[] PROPAGATION_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private LongSupplier leadershipChanges;

    /**
     * @param registry               where the meters go: Camel's, which its own route metrics share
     * @param deadLetters            how many updates the dead-letter store holds
     * @param secondsSinceReconciled per master, seconds since every HAProxy was last seen in step (NaN: never)
     */
    public RelayMetrics(MeterRegistry registry, List<String> masters, LongSupplier deadLetters,
                        ToDoubleFunction<String> secondsSinceReconciled) {
        this.registry = registry;
        Gauge.builder("relay.dead.letters", deadLetters::getAsLong)
                .description("Updates in the dead-letter store (failed after their retries)").register(registry);
        for (String master : masters) {
            Gauge.builder("relay.seconds.since.reconcile", () -> secondsSinceReconciled.applyAsDouble(master))
                    .tag("master", master)
                    .description("Seconds since the last reconcile that found every HAProxy in step")
                    .register(registry);
        }
    }

    /** @param reachable how many sentinels answered when last asked */
    void sentinelsReachable(LongSupplier reachable) {
        Gauge.builder("relay.sentinels.reachable", reachable::getAsLong)
                .description("Sentinels that answered when last asked").register(registry);
    }

    public void eventReceived(String sentinel, String type) {
        counter("relay.events.received", "Valid Sentinel events received", "sentinel", sentinel, "type", type).increment();
    }

    public void eventRejected(String reason) {
        counter("relay.events.rejected", "Sentinel events rejected at the edge", "reason", reason).increment();
    }

    public void verificationRefused(String master) {
        counter("relay.verifications.refused", "Verifications that confirmed no master", "master", master).increment();
    }

    public void failoverApplied(String master) {
        counter("relay.failovers.applied", "Verified changes of master handed to the destinations", "master", master)
                .increment();
    }

    /** Time from the first {@code +switch-master} of a failover to the destination holding the new master. */
    public void propagation(String master, String destination, Duration latency) {
        Timer.builder("relay.propagation")
                .description("First +switch-master to the destination updated")
                .tags("master", master, "destination", destination)
                .serviceLevelObjectives(PROPAGATION_BUCKETS)
                .register(registry).record(latency);
    }

    /** An update of the destination failed after its retries (hook for every destination: HAProxy, Consul, alerts). */
    public void destinationFailed(String destination) {
        counter("relay.destination.failures", "Destination updates that failed after their retries",
                "destination", destination).increment();
    }

    /** One retry of an update of the destination. */
    public void destinationRetried(String destination) {
        counter("relay.destination.retries", "Retries of destination updates", "destination", destination).increment();
    }

    /** A relay that does not write (standby, observe) found a destination it would have changed for the master. */
    public void wouldChange(String master) {
        counter("relay.would.change", "Destination changes a standby or observing relay would have made", "master", master)
                .increment();
    }

    /**
     * @param leader  1 while this relay writes as the leader (or alone, acting), else 0
     * @param changes changes of the cluster's leader this relay saw
     */
    public void leadership(IntSupplier leader, LongSupplier changes) {
        Gauge.builder("relay.leader", leader::getAsInt)
                .description("1 while this relay leads (or runs alone and acts), else 0").register(registry);
        // the registry holds a function counter's object weakly: the supplier itself, held here, is that object
        leadershipChanges = changes;
        FunctionCounter.builder("relay.leadership.changes", changes, LongSupplier::getAsLong)
                .description("Changes of the cluster's leader this relay saw").register(registry);
    }

    /** @param size servers of the master's read backend taking reads on the destination; NaN until known */
    public void readPoolSize(String master, String destination, DoubleSupplier size) {
        Gauge.builder("relay.read.pool.size", size::getAsDouble).tag("master", master).tag("destination", destination)
                .description("Servers of the master's read backend that take reads on the HAProxy").register(registry);
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }
}
