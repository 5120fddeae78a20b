package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.ops.EventLog.Decision;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Verdict;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per master: the routing it should have, its last change with the time each destination took to hold it, the
 * last verdict, why a destination is not in step, and the propagation latency of a failover (from its first
 * {@code +switch-master} to each destination), counted in the metrics.
 */
public final class MasterLedger {

    private static final Logger LOG = LoggerFactory.getLogger(MasterLedger.class);

    /**
     * The last change of a master's routing, how long its verification (or fencing) decision took from the trigger
     * (the queue to the master's resolver, the sentinels' votes, ROLE) and each destination to hold it.
     */
    public record Change(Instant time, String from, String to, String trigger, long triggerNanos, double decidedMillis,
                         Map<String, Double> millisByDestination) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", time.toString());
            m.put("from", from);
            m.put("to", to);
            m.put("trigger", trigger);
            m.put("decidedMs", decidedMillis);
            synchronized (millisByDestination) {
                m.put("destinationsMs", new LinkedHashMap<>(millisByDestination));
            }
            return m;
        }
    }

    /** The first {@code +switch-master} of a failover: where propagation latency is measured from. */
    private record Switch(HostPort promoted, long nanos, Map<String, Boolean> measured) {
    }

    private final RelayMetrics metrics;
    private final Map<String, Routing> current = new ConcurrentHashMap<>();
    private final Map<String, Change> lastChange = new ConcurrentHashMap<>();
    private final Map<String, Verdict> lastVerdict = new ConcurrentHashMap<>();
    private final Map<String, Instant> verdictTime = new ConcurrentHashMap<>();
    private final Map<String, Switch> switches = new ConcurrentHashMap<>();
    /** destination/master -> why the destination is not in step (its last failure); removed once applied. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** destination/master -> what a relay that does not write (standby, observe) would have written; until in step. */
    private final Map<String, String> wouldWrite = new ConcurrentHashMap<>();

    public MasterLedger(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    /** A valid event arrived: the first {@code +switch-master} of a failover starts its propagation clock. */
    public void received(SentinelEvent event) {
        if (event.isSwitchMaster()) {
            long now = System.nanoTime();
            switches.compute(event.master(), (m, s) -> s != null && s.promoted().equals(event.promoted()) ? s
                    : new Switch(event.promoted(), now, new ConcurrentHashMap<>()));
        }
    }

    /** Every sentinel's answer to a verification, and whether a master was verified. */
    public void verdict(Verdict verdict) {
        lastVerdict.put(verdict.name(), verdict);
        verdictTime.put(verdict.name(), Instant.now());
        if (!verdict.verified()) {
            metrics.verificationRefused(verdict.name());
        }
    }

    /**
     * The master's resolver decided. A routing that changes what the destinations hold becomes the master's last
     * change. Returns what became of the trigger.
     */
    public Decision decided(Routing routing) {
        String master = routing.name();
        if (!routing.changes()) {
            return new Decision(EventLog.REFUSED, routing.reason());
        }
        Routing before = current.put(master, routing);
        if (before != null && before.holding().equals(routing.holding())) {
            return new Decision(EventLog.DEDUPLICATED, "already " + routing.holding());
        }
        long triggered = routing.trigger().receivedNanos();
        double millis = (System.nanoTime() - triggered) / 1e6;
        String from = before == null ? null : before.holding();
        lastChange.put(master, new Change(Instant.now(), from, routing.holding(), String.valueOf(routing.trigger()),
                triggered, millis, Collections.synchronizedMap(new LinkedHashMap<>())));
        LOG.info("decided: {} {} -> {}, {} ms after {}", master, from == null ? "?" : from, routing.holding(),
                String.format(Locale.ROOT, "%.1f", millis), routing.trigger());
        if (routing.fenced()) {
            return new Decision(EventLog.FENCED, routing.reason());
        }
        if (before != null && !routing.master().equals(before.master())) {
            metrics.failoverApplied(master);
        }
        return new Decision(EventLog.APPLIED, null);
    }

    /** The destination holds the routing now: timings of the master's last change, and propagation latency. */
    public void destinationApplied(String destination, Routing routing) {
        long now = System.nanoTime();
        problems.remove(destination + "/" + routing.name());
        wouldWrite.remove(destination + "/" + routing.name());
        Change change = lastChange.get(routing.name());
        if (change != null && change.to().equals(routing.holding())) {
            change.millisByDestination().putIfAbsent(destination, (now - change.triggerNanos()) / 1e6);
        }
        Switch failover = switches.get(routing.name());
        if (!routing.fenced() && failover != null && failover.promoted().equals(routing.master())
                && failover.measured().putIfAbsent(destination, true) == null) {
            metrics.propagation(routing.name(), destination, Duration.ofNanos(now - failover.nanos()));
        }
    }

    /** The destination could not be brought to the routing after its retries. */
    public void destinationFailed(String destination, Routing routing, String reason) {
        problems.put(destination + "/" + routing.name(), reason);
        metrics.destinationFailed(destination);
    }

    /**
     * A relay that does not write found the destination out of step: it would have written the routing. Counted once
     * per routing it would write, as an acting relay writes it once, not again at every reconcile that finds the same.
     */
    public void wouldChange(String destination, Routing routing) {
        if (!routing.holding().equals(wouldWrite.put(destination + "/" + routing.name(), routing.holding()))) {
            metrics.wouldChange(routing.name());
        }
    }

    /** A destination read back in step: nothing would be written to it for the master. */
    public void inStep(String destination, String master) {
        wouldWrite.remove(destination + "/" + master);
    }

    /** What this relay would write to the destination for the master if it wrote; null when nothing. */
    public String wouldWrite(String destination, String master) {
        return wouldWrite.get(destination + "/" + master);
    }

    public Routing current(String master) {
        return current.get(master);
    }

    public Change lastChange(String master) {
        return lastChange.get(master);
    }

    public Verdict lastVerdict(String master) {
        return lastVerdict.get(master);
    }

    public Instant verdictTime(String master) {
        return verdictTime.get(master);
    }

    /** Why the destination is not in step for the master, when it failed; null otherwise. */
    public String problem(String destination, String master) {
        return problems.get(destination + "/" + master);
    }
}
