package dev.sentinelrelay.alerts;

import dev.sentinelrelay.resolve.RelayObserver;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.cluster.ClusterObserver;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelChange;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.VerificationPendingException;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.Vote;
import dev.sentinelrelay.resolve.VoteTally;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Turns what the relay sees and does into alerts and hands them to the alert route (which deduplicates, groups
 * and delivers them). A failover alert is raised once every destination has the new master, or failed, or after
 * {@link #FAILOVER_REPORT_DEADLINE} (see {@link #overdue()}), so it can say what was updated and how fast.
 */
public final class Alerts implements RelayObserver, ClusterObserver {

    public static final Duration FAILOVER_REPORT_DEADLINE = Duration.ofSeconds(30);

    private final List<String> destinations;
    /** How many sentinels are followed now. */
    private final IntSupplier sentinels;
    private final Consumer<Alert> sink;
    private final Duration reportDeadline;
    private final Map<String, Failover> failovers = new ConcurrentHashMap<>();
    private Boolean majority;

    /**
     * @param destinations every destination a routing goes to (HAProxy endpoint ids, "consul")
     * @param sentinels    how many sentinels are followed now
     * @param sink         queues an alert for delivery; must not block
     * @param reportDeadline how long a failover report waits for every destination ({@link #FAILOVER_REPORT_DEADLINE})
     */
    public Alerts(List<String> destinations, IntSupplier sentinels, Consumer<Alert> sink, Duration reportDeadline) {
        this.destinations = List.copyOf(destinations);
        this.sentinels = sentinels;
        this.sink = sink;
        this.reportDeadline = reportDeadline;
    }

    /** {@code +odown}, {@code -odown} and {@code +tilt} from one sentinel (each sentinel publishes its own). */
    public void sentinelEvent(SentinelEvent event) {
        switch (event.type()) {
            case "+odown" -> raise(AlertKind.MASTER_DOWN, event.master(),
                    event.master() + " " + event.instance() + " is objectively down (" + event.sentinel()
                            + " and a quorum agree); Sentinel should fail over",
                    details("address", event.instance(), "reported by", event.sentinel()),
                    downKey(event.master(), event.instance()), null);
            case "-odown" -> raise(AlertKind.MASTER_RECOVERED, event.master(),
                    event.master() + " " + event.instance() + " is no longer objectively down",
                    details("address", event.instance(), "reported by", event.sentinel()),
                    "up/" + event.master() + "/" + event.instance(), downKey(event.master(), event.instance()));
            case "+tilt" -> raise(AlertKind.SENTINEL_TILT, null,
                    event.sentinel() + " entered TILT mode: it acts on nothing for 30 s (clock jump or overload)",
                    details("sentinel", event.sentinel()), "tilt/" + event.sentinel(), null);
            default -> {
                // other events are not alerted
            }
        }
    }

    @Override
    public void verified(Verdict verdict, HostPort previous) {
        if (previous == null || previous.equals(verdict.master())) {
            return;
        }
        String agreeing = verdict.votes().stream().filter(v -> verdict.master().equals(v.master()))
                .map(Vote::sentinel).collect(Collectors.joining(", "));
        Failover f = new Failover(verdict.name(), previous, verdict.master(), agreeing, verdict.trigger());
        Failover superseded = failovers.put(verdict.name(), f);
        if (superseded != null) {
            sink(report(superseded));
        }
    }

    /**
     * The reports of failovers not every destination settled within the deadline, saying which did not: the
     * failover-report route (routes/70-alerts.yaml) asks every second and queues them as alerts.
     */
    public List<Alert> overdue() {
        List<Alert> reports = new ArrayList<>();
        long now = System.nanoTime();
        for (Failover f : failovers.values()) {
            if (now - f.verifiedNanos - reportDeadline.toNanos() >= 0) {
                reports.add(report(f));
            }
        }
        reports.removeIf(Objects::isNull);
        return reports;
    }

    /**
     * A refusal is alerted when it refuses a change: a {@code +switch-master} the relay could not verify, or a
     * majority naming another server than the current master. The current master being unreachable is the
     * master-down alert's business; no reachable majority is the majority-lost alert's.
     */
    @Override
    public void refused(Verdict verdict, HostPort current) {
        // every followed sentinel has a vote in the verdict (those not heard with their reason)
        Optional<HostPort> candidate = VoteTally.majority(verdict.votes(), verdict.votes().size());
        boolean switchMaster = verdict.trigger().event() != null && verdict.trigger().event().isSwitchMaster();
        if (!switchMaster && (candidate.isEmpty() || candidate.get().equals(current))) {
            return;
        }
        String name = verdict.name();
        // one alert per refused claim: what the +switch-master announced, or what the majority named
        String claim = switchMaster ? String.valueOf(verdict.trigger().event().promoted())
                : candidate.map(String::valueOf).orElse("none");
        // an unconfirmed +switch-master may come with the current master verified again: that is the reason
        String why = verdict.verified() ? "a majority of sentinels names " + verdict.master() + ", which answers ROLE master"
                : verdict.refusal();
        raise(AlertKind.CHANGE_REFUSED, name,
                name + ": not routing to " + (switchMaster ? claim + " (announced by " + verdict.trigger().event().sentinel() + ")"
                        : candidate.map(String::valueOf).orElse("any server")) + ": " + why
                        + "; clients stay on " + (current == null ? "what HAProxy holds" : current),
                details("current master", current, "candidate", candidate.orElse(null), "refusal", why,
                        "sentinels said", verdict.votes(), "trigger", verdict.trigger()),
                "refused/" + name + "/" + claim, null);
    }

    /** The +switch-master the relay kept verifying was never confirmed (see routes/30-resolve.yaml). */
    public void notConfirmed(Exception pending) {
        if (pending instanceof VerificationPendingException p) {
            refused(p.verdict(), null);
        }
    }

    @Override
    public synchronized void sentinelsAnswered(long reachable, int needed) {
        boolean reached = reachable >= needed;
        Boolean before = majority;
        majority = reached;
        if (before == null ? !reached : before != reached) {
            String counts = reachable + " of " + sentinels.getAsInt() + " sentinels answer (majority " + needed + ")";
            if (reached) {
                raise(AlertKind.MAJORITY_REGAINED, null, "sentinel majority regained: " + counts,
                        details("sentinels answering", reachable), "majority-regained", "majority");
            } else {
                raise(AlertKind.MAJORITY_LOST, null, "sentinel majority lost: " + counts
                        + "; the relay changes nothing until a majority answers", details("sentinels answering", reachable),
                        "majority", null);
            }
        }
    }

    @Override
    public void destinationSettled(String destination, Routing routing, String failure) {
        Failover f = failovers.get(routing.name());
        if (f == null || routing.fenced() || !f.now.equals(routing.master())) {
            return;
        }
        double millis = (System.nanoTime() - f.trigger.receivedNanos()) / 1e6;
        String after = f.trigger.type() != null ? f.trigger.type() : f.trigger.promoted() != null ? "the promotion" : "reconcile";
        f.results.put(destination, failure == null ? String.format("updated %.1f ms after %s", millis, after) : "FAILED: " + failure);
        if (f.results.keySet().containsAll(destinations)) {
            sink(report(f));
        }
    }

    @Override
    public void deadLettered(String destination, Map<String, String> details) {
        if (destination.startsWith(AlertOutbox.DESTINATION_PREFIX) && "true".equals(details.get(AlertOutbox.ABOUT_ALERTS))) {
            return; // an alert about failing alert channels that failed too: no alert about it, no loop
        }
        String master = details.get("master");
        String channel = destination.startsWith(AlertOutbox.DESTINATION_PREFIX)
                ? destination.substring(AlertOutbox.DESTINATION_PREFIX.length()) : null;
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("destination", destination);
        details.forEach((k, v) -> {
            if (!AlertOutbox.ALERTS.equals(k) && !AlertOutbox.ABOUT_ALERTS.equals(k)) {
                facts.put(k, v);
            }
        });
        if (channel != null) {
            facts.put(AlertOutbox.CHANNEL, channel);
        }
        raise(AlertKind.DELIVERY_FAILED, master, destination + " failed after its retries"
                        + (master == null ? "" : " for " + master) + ": " + details.get("reason") + "; dead-lettered",
                facts, "dead/" + destination + "/" + master, null);
    }

    /** Sentinel discovery started or stopped following a sentinel (routes/15-sentinel-discovery.yaml). */
    public void sentinelChanged(SentinelChange change) {
        AlertKind kind = change.follows() ? AlertKind.SENTINEL_FOLLOWED : AlertKind.SENTINEL_FORGOTTEN;
        String sentinel = change.id() + " (" + change.address() + ")";
        // ids are never reused: each change is its own alert, even the same address followed again later
        raise(kind, null, (change.follows() ? "following discovered sentinel " : "no longer following sentinel ")
                        + sentinel + ": " + change.reason() + "; majorities now count " + sentinels.getAsInt() + " sentinels",
                details("sentinel", sentinel, "reason", change.reason()), kind.id() + "/" + change.id(), null);
    }

    /** Raised by the new leader only, the moment it takes over (before it reconciles). */
    @Override
    public void leaderChanged(String previous, String leader) {
        raise(AlertKind.LEADER_CHANGED, null, leader + " leads the relay cluster now, after " + previous
                        + "; it reconciles every master and destination before acting",
                details("previous leader", previous, "leader", leader), "leader/" + previous + "/" + leader, null);
    }

    /**
     * Raised by each relay cut off from ZooKeeper, and sent by that relay itself through its channels, leader or not
     * ({@link AlertKind#deliveredByRaiser}): with ZooKeeper gone no relay leads, so several relays may each send one.
     */
    @Override
    public void coordinationLost(String instance, String since) {
        raise(AlertKind.COORDINATION_LOST, null, instance + " has been cut off from ZooKeeper since " + since
                        + ": it writes nothing to HAProxy or Consul until it is back (no relay writes without ZooKeeper)",
                details("relay", instance, "since", since), coordinationKey(instance), null);
    }

    @Override
    public void coordinationRestored(String instance) {
        raise(AlertKind.COORDINATION_RESTORED, null, instance + " is connected to ZooKeeper again; the leader writes again",
                details("relay", instance), "coordination-restored/" + instance, coordinationKey(instance));
    }

    private static String coordinationKey(String instance) {
        return "coordination-lost/" + instance;
    }

    /** The failover's report, once: null when it was reported already. */
    private Alert report(Failover f) {
        if (!failovers.remove(f.name, f)) {
            return null;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("old master", f.old);
        facts.put("new master", f.now);
        facts.put("verified by sentinels", f.agreeing);
        facts.put("trigger", String.valueOf(f.trigger));
        for (String d : destinations) {
            facts.put(d, f.results.getOrDefault(d, "not confirmed within " + reportDeadline.toSeconds() + " s"));
        }
        long updated = f.results.values().stream().filter(r -> r.startsWith("updated")).count();
        return alert(AlertKind.FAILOVER, f.name, f.name + " failed over from " + f.old + " to " + f.now + "; "
                        + updated + " of " + destinations.size() + " destinations updated",
                facts, "failover/" + f.name + "/" + f.now, downKey(f.name, f.old));
    }

    private void raise(AlertKind kind, String master, String summary, Map<String, Object> facts, String key, String closes) {
        sink(alert(kind, master, summary, facts, key, closes));
    }

    private static Alert alert(AlertKind kind, String master, String summary, Map<String, Object> facts, String key,
                               String closes) {
        Map<String, String> text = new LinkedHashMap<>();
        facts.forEach((k, v) -> text.put(k, String.valueOf(v)));
        return Alert.of(kind, master, summary, text, key, closes);
    }

    private void sink(Alert alert) {
        if (alert != null) {
            sink.accept(alert);
        }
    }

    private static String downKey(String master, HostPort address) {
        return "down/" + master + "/" + address;
    }

    /** Facts in order from name/value pairs; null values are left out. */
    private static Map<String, Object> details(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put(String.valueOf(pairs[i]), pairs[i + 1]);
            }
        }
        return out;
    }
}
