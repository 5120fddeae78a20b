package dev.sentinelrelay.alerts;

import dev.sentinelrelay.cluster.ClusterChange;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.sentinel.SentinelChange;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.VerificationPendingException;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.VoteTally;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Turns what the relay sees and does into alerts, for the route steps that raise them (routes 05, 15, 20, 30, 35 and
 * 70): each method returns the alerts to queue on seda:alerts (none, one, or a few), which deduplicates, groups and
 * delivers them. A failover's report is written once the aggregator of routes/70-alerts.yaml completed it
 * ({@link FailoverReports}).
 */
public final class Alerts {

    /** How many sentinels are followed now. */
    private final IntSupplier sentinels;
    /** A majority of them. */
    private final IntSupplier majority;
    private Boolean majorityReached;

    public Alerts(IntSupplier sentinels, IntSupplier majority) {
        this.sentinels = sentinels;
        this.majority = majority;
    }

    /** {@code +odown}, {@code -odown} and {@code +tilt} from one sentinel (each sentinel publishes its own). */
    public List<Alert> sentinelEvent(SentinelEvent event) {
        return switch (event.type()) {
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
            // other events are not alerted
            default -> List.of();
        };
    }

    /** A decision: the sentinel majority lost or regained as its verification saw it, and a refused change. */
    public List<Alert> decided(Decision decision) {
        if (decision.verdict() == null) {
            return List.of();
        }
        List<Alert> raised = new ArrayList<>(answered(decision.verdict()));
        if (!decision.routing().changes()) {
            raised.addAll(refused(decision.verdict(), decision.previous()));
        }
        return raised;
    }

    /** A +switch-master verified again shortly (routes/30-resolve.yaml): the majority as this verification saw it. */
    public List<Alert> pending(Exception pending) {
        return pending instanceof VerificationPendingException p ? answered(p.verdict()) : List.of();
    }

    /**
     * A refusal is alerted when it refuses a change: a {@code +switch-master} the relay could not verify, or a
     * majority naming another server than the current master. The current master being unreachable is the
     * master-down alert's business; no reachable majority is the majority-lost alert's.
     */
    private List<Alert> refused(Verdict verdict, HostPort current) {
        // every followed sentinel has a vote in the verdict (those not heard with their reason)
        Optional<HostPort> candidate = VoteTally.majority(verdict.votes(), verdict.votes().size());
        boolean switchMaster = verdict.trigger().event() != null && verdict.trigger().event().isSwitchMaster();
        if (!switchMaster && (candidate.isEmpty() || candidate.get().equals(current))) {
            return List.of();
        }
        String name = verdict.name();
        // one alert per refused claim: what the +switch-master announced, or what the majority named
        String claim = switchMaster ? String.valueOf(verdict.trigger().event().promoted())
                : candidate.map(String::valueOf).orElse("none");
        // an unconfirmed +switch-master may come with the current master verified again: that is the reason
        String why = verdict.verified() ? "a majority of sentinels names " + verdict.master() + ", which answers ROLE master"
                : verdict.refusal();
        return raise(AlertKind.CHANGE_REFUSED, name,
                name + ": not routing to " + (switchMaster ? claim + " (announced by " + verdict.trigger().event().sentinel() + ")"
                        : candidate.map(String::valueOf).orElse("any server")) + ": " + why
                        + "; clients stay on " + (current == null ? "what HAProxy holds" : current),
                details("current master", current, "candidate", candidate.orElse(null), "refusal", why,
                        "sentinels said", verdict.votes(), "trigger", verdict.trigger()),
                "refused/" + name + "/" + claim, null);
    }

    /** The +switch-master the relay kept verifying was never confirmed (see routes/30-resolve.yaml). */
    public List<Alert> notConfirmed(Exception pending) {
        return pending instanceof VerificationPendingException p ? refused(p.verdict(), null) : List.of();
    }

    /** On a transition only: a majority of the sentinels followed answered this verification, or no longer did. */
    private synchronized List<Alert> answered(Verdict verdict) {
        long reachable = VoteTally.reachable(verdict.votes());
        int needed = majority.getAsInt();
        boolean reached = reachable >= needed;
        Boolean before = majorityReached;
        majorityReached = reached;
        if (before == null ? reached : before == reached) {
            return List.of();
        }
        String counts = reachable + " of " + sentinels.getAsInt() + " sentinels answer (majority " + needed + ")";
        if (reached) {
            return raise(AlertKind.MAJORITY_REGAINED, null, "sentinel majority regained: " + counts,
                    details("sentinels answering", reachable), "majority-regained", "majority");
        }
        return raise(AlertKind.MAJORITY_LOST, null, "sentinel majority lost: " + counts
                + "; the relay changes nothing until a majority answers", details("sentinels answering", reachable),
                "majority", null);
    }

    /** Something was kept in the dead-letter store: a destination or an alert channel failed after its retries. */
    public List<Alert> deadLettered(DeadLetter letter) {
        String destination = letter.destination();
        Map<String, String> details = letter.details();
        if (destination.startsWith(AlertOutbox.DESTINATION_PREFIX) && "true".equals(details.get(AlertOutbox.ABOUT_ALERTS))) {
            return List.of(); // an alert about failing alert channels that failed too: no alert about it, no loop
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
        return raise(AlertKind.DELIVERY_FAILED, master, destination + " failed after its retries"
                        + (master == null ? "" : " for " + master) + ": " + details.get("reason") + "; dead-lettered",
                facts, "dead/" + destination + "/" + master, null);
    }

    /** Sentinel discovery started or stopped following a sentinel (routes/15-sentinel-discovery.yaml). */
    public List<Alert> sentinelChanged(SentinelChange change) {
        AlertKind kind = change.follows() ? AlertKind.SENTINEL_FOLLOWED : AlertKind.SENTINEL_FORGOTTEN;
        String sentinel = change.id() + " (" + change.address() + ")";
        // ids are never reused: each change is its own alert, even the same address followed again later
        return raise(kind, null, (change.follows() ? "following discovered sentinel " : "no longer following sentinel ")
                        + sentinel + ": " + change.reason() + "; majorities now count " + sentinels.getAsInt() + " sentinels",
                details("sentinel", sentinel, "reason", change.reason()), kind.id() + "/" + change.id(), null);
    }

    /**
     * What the cluster's coordination did (routes/05-leadership.yaml). A new leader names the one before it (raised by
     * the new leader only, the moment it takes over, before it reconciles). Coordination lost is raised by each relay
     * cut off from ZooKeeper, and sent by that relay itself through its channels, leader or not
     * ({@link AlertKind#deliveredByRaiser}): with ZooKeeper gone no relay leads, so several relays may each send one.
     */
    public List<Alert> cluster(ClusterChange change) {
        String instance = change.instance();
        return switch (change.kind()) {
            case LEADER_CHANGED -> change.other() == null ? List.of()
                    : raise(AlertKind.LEADER_CHANGED, null, instance + " leads the relay cluster now, after " + change.other()
                                    + "; it reconciles every master and destination before acting",
                            details("previous leader", change.other(), "leader", instance),
                            "leader/" + change.other() + "/" + instance, null);
            case COORDINATION_LOST -> raise(AlertKind.COORDINATION_LOST, null, instance + " has been cut off from " + change.engine()
                            + " since " + change.other() + ": it writes nothing to HAProxy or Consul until it is back (no relay"
                            + " writes without " + change.engine() + ")",
                    details("relay", instance, "since", change.other()), coordinationKey(instance), null);
            case COORDINATION_RESTORED -> raise(AlertKind.COORDINATION_RESTORED, null,
                    instance + " is connected to " + change.engine() + " again; the leader writes again",
                    details("relay", instance), "coordination-restored/" + instance, coordinationKey(instance));
        };
    }

    private static String coordinationKey(String instance) {
        return "coordination-lost/" + instance;
    }

    /** The failover's report, once its aggregator completed it (every destination's outcome, or the deadline). */
    public Alert failoverReport(Failover f) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("old master", f.old());
        facts.put("new master", f.now());
        facts.put("verified by sentinels", f.agreeing());
        facts.put("trigger", String.valueOf(f.trigger()));
        facts.putAll(f.results());
        return alert(AlertKind.FAILOVER, f.name(), f.name() + " failed over from " + f.old() + " to " + f.now() + "; "
                        + f.updated() + " of " + f.destinations().size() + " destinations updated",
                facts, "failover/" + f.name() + "/" + f.now(), downKey(f.name(), f.old()));
    }

    private static List<Alert> raise(AlertKind kind, String master, String summary, Map<String, Object> facts, String key,
                                     String closes) {
        return List.of(alert(kind, master, summary, facts, key, closes));
    }

    private static Alert alert(AlertKind kind, String master, String summary, Map<String, Object> facts, String key,
                               String closes) {
        Map<String, String> text = new LinkedHashMap<>();
        facts.forEach((k, v) -> text.put(k, String.valueOf(v)));
        return Alert.of(kind, master, summary, text, key, closes);
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
