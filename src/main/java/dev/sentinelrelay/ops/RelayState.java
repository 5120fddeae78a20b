package dev.sentinelrelay.ops;

import dev.sentinelrelay.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.sentinel.Verdict;
import dev.sentinelrelay.sentinel.VerificationPendingException;
import dev.sentinelrelay.sentinel.Vote;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the relay believes and what happened lately, for the API, the status page and the metrics: the last events
 * (a bounded ring buffer) with the decision taken for each, the routing every master should have, its last change
 * with the time each destination took, the last votes, and each sentinel's subscription and errors. Fed by
 * observer calls from the routes and beans; never consulted for a routing decision.
 */
public final class RelayState {

    /** Decisions: what became of an event. */
    public static final String PENDING = "pending", APPLIED = "applied", DEDUPLICATED = "deduplicated",
            FENCED = "fenced", REFUSED = "refused", REJECTED = "rejected", WATCHING = "watching promotion",
            LOGGED = "logged only";

    /** One event (or a change the relay made by itself) and what became of it. */
    public static final class Entry {
        final long seq;
        final Instant time;
        final String sentinel;
        final String type;
        final String master;
        final String detail;
        volatile String decision;
        volatile String reason;

        Entry(long seq, String sentinel, String type, String master, String detail, String decision, String reason) {
            this.seq = seq;
            this.time = Instant.now();
            this.sentinel = sentinel;
            this.type = type;
            this.master = master;
            this.detail = detail;
            this.decision = decision;
            this.reason = reason;
        }

        public String decision() {
            return decision;
        }

        public String reason() {
            return reason;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", seq);
            m.put("time", time.toString());
            m.put("sentinel", sentinel);
            m.put("type", type);
            m.put("master", master);
            m.put("event", detail);
            m.put("decision", decision);
            m.put("reason", reason);
            return m;
        }
    }

    /** The last change of a master's routing and how long each destination took to hold it. */
    public record Change(Instant time, String from, String to, String trigger, long triggerNanos,
                         Map<String, Double> millisByDestination) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", time.toString());
            m.put("from", from);
            m.put("to", to);
            m.put("trigger", trigger);
            synchronized (millisByDestination) {
                m.put("destinationsMs", new LinkedHashMap<>(millisByDestination));
            }
            return m;
        }
    }

    /** The first {@code +switch-master} of a failover: where propagation latency is measured from. */
    private record Switch(HostPort promoted, long nanos, Map<String, Boolean> measured) {
    }

    /** What the relay knows of one configured sentinel. */
    public static final class SentinelStatus {
        final String id;
        final String address;
        volatile Instant subscribedSince;
        volatile int resubscriptions;
        volatile Boolean reachable;
        volatile String lastVote;
        volatile Instant lastEventAt;
        volatile String lastEvent;
        volatile long errors;
        volatile String lastError;
        volatile Instant lastErrorAt;
        volatile long rejected;

        SentinelStatus(String id, String address) {
            this.id = id;
            this.address = address;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("address", address);
            m.put("reachable", reachable);
            m.put("lastVote", lastVote);
            m.put("subscribedSince", text(subscribedSince));
            m.put("resubscriptions", resubscriptions);
            m.put("lastEvent", lastEvent);
            m.put("lastEventAt", text(lastEventAt));
            m.put("errors", errors);
            m.put("lastError", lastError);
            m.put("lastErrorAt", text(lastErrorAt));
            m.put("eventsRejected", rejected);
            return m;
        }
    }

    private final int capacity;
    private final RelayMetrics metrics;
    private final Deque<Entry> events = new ArrayDeque<>();
    /** Events waiting for their master's decision, by identity (three sentinels publish equal-looking events). */
    private final Map<SentinelEvent, Entry> pending = new IdentityHashMap<>();
    private long seq;
    private final Map<String, Routing> current = new ConcurrentHashMap<>();
    private final Map<String, Change> lastChange = new ConcurrentHashMap<>();
    private final Map<String, Verdict> lastVerdict = new ConcurrentHashMap<>();
    private final Map<String, Instant> verdictTime = new ConcurrentHashMap<>();
    private final Map<String, Switch> switches = new ConcurrentHashMap<>();
    /** destination/master -> why the destination is not in step (its last failure); removed once applied. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** By id (sentinel-1), by address (as votes name it) and by the label events carry. */
    private final Map<String, SentinelStatus> sentinels = new LinkedHashMap<>();
    private final Map<String, SentinelStatus> byAddress = new ConcurrentHashMap<>();
    private final Map<String, SentinelStatus> byLabel = new ConcurrentHashMap<>();

    /**
     * @param sentinels id -> address of every configured sentinel, in order
     * @param capacity  how many events the ring buffer keeps
     */
    public RelayState(Map<String, HostPort> sentinels, int capacity, RelayMetrics metrics) {
        this.capacity = capacity;
        this.metrics = metrics;
        sentinels.forEach((id, address) -> {
            SentinelStatus status = new SentinelStatus(id, address.toString());
            this.sentinels.put(id, status);
            byAddress.put(address.toString(), status);
            // the label the subscriber route puts on every event: "sentinel-1 (host:port)"
            byLabel.put(id + " (" + address.host() + ":" + address.port() + ")", status);
        });
        metrics.sentinelsReachable(() -> this.sentinels.values().stream().filter(s -> Boolean.TRUE.equals(s.reachable)).count());
    }

    // ---- observer calls --------------------------------------------------------------------------

    /** A valid event arrived: recorded and counted; until a route says more, it is only logged. */
    public void received(SentinelEvent event) {
        SentinelStatus sentinel = byLabel.get(event.sentinel());
        String id = sentinel == null ? event.sentinel() : sentinel.id;
        if (sentinel != null) {
            sentinel.lastEvent = event.type() + (event.master() == null ? "" : " " + event.master());
            sentinel.lastEventAt = Instant.now();
        }
        metrics.eventReceived(id, event.type());
        if (event.isSwitchMaster()) {
            long now = System.nanoTime();
            switches.compute(event.master(), (m, s) -> s != null && s.promoted().equals(event.promoted()) ? s
                    : new Switch(event.promoted(), now, new ConcurrentHashMap<>()));
        }
        synchronized (this) {
            pending.put(event, append(id, event.type(), event.master(), event.toString(), LOGGED, null));
        }
    }

    /** The event started a promotion watch. */
    public synchronized void watching(SentinelEvent event) {
        Entry entry = pending.remove(event);
        if (entry != null) {
            entry.decision = WATCHING;
        }
    }

    /** The event was queued for its master's verification: its decision follows in {@link #decided}. */
    public synchronized void awaiting(SentinelEvent event) {
        Entry entry = pending.get(event);
        if (entry != null) {
            entry.decision = PENDING;
        }
    }

    /** An event failed validation at the edge. */
    public void rejected(String sentinelLabel, String reason, String detail) {
        SentinelStatus sentinel = byLabel.get(sentinelLabel);
        if (sentinel != null) {
            sentinel.rejected++; // each sentinel's events arrive on its own single thread
        }
        metrics.eventRejected(reason);
        synchronized (this) {
            append(sentinel == null ? sentinelLabel : sentinel.id, "rejected", null, null, REJECTED, detail);
        }
    }

    /** Every sentinel's answer to a verification, and whether a master was verified. */
    public void verdict(Verdict verdict) {
        lastVerdict.put(verdict.name(), verdict);
        verdictTime.put(verdict.name(), Instant.now());
        if (!verdict.verified()) {
            metrics.verificationRefused(verdict.name());
        }
        for (Vote vote : verdict.votes()) {
            SentinelStatus sentinel = byAddress.get(vote.sentinel());
            // not awaited: the others already agreed, so this one's last known state stands
            if (sentinel == null || String.valueOf(vote.error()).startsWith(MasterResolver.NOT_AWAITED)) {
                continue;
            }
            // one resolver route per master: verdicts of different masters arrive concurrently
            synchronized (sentinel) {
                sentinel.reachable = vote.answered();
                sentinel.lastVote = vote.master() != null ? vote.master().toString() : vote.error();
                if (!vote.answered()) {
                    sentinel.errors++;
                    sentinel.lastError = vote.error();
                    sentinel.lastErrorAt = Instant.now();
                }
            }
        }
    }

    /** The sentinel's subscription was established (again, when {@code again}). */
    public void subscribed(String sentinelId, boolean again) {
        SentinelStatus sentinel = sentinels.get(sentinelId);
        if (sentinel != null) {
            sentinel.subscribedSince = Instant.now();
            // it answered the subscription; until a verification asks it, that is all that is known
            if (sentinel.reachable == null) {
                sentinel.reachable = true;
            }
            if (again) {
                sentinel.resubscriptions++;
            }
        }
    }

    /**
     * The master's resolver decided. A routing that changes what the destinations hold becomes the master's last
     * change; the event that triggered it gets its decision. Reconciles and seen promotions are recorded only when
     * they changed something.
     */
    public void decided(Routing routing) {
        String master = routing.name();
        String decision;
        String reason = null;
        if (!routing.changes()) {
            decision = REFUSED;
            reason = routing.reason();
        } else {
            Routing before = current.put(master, routing);
            if (before != null && before.holding().equals(routing.holding())) {
                decision = DEDUPLICATED;
                reason = "already " + routing.holding();
            } else {
                decision = routing.fenced() ? FENCED : APPLIED;
                reason = routing.fenced() ? routing.reason() : null;
                lastChange.put(master, new Change(Instant.now(), before == null ? null : before.holding(),
                        routing.holding(), String.valueOf(routing.trigger()), routing.trigger().receivedNanos(),
                        Collections.synchronizedMap(new LinkedHashMap<>())));
                if (!routing.fenced() && before != null && !routing.master().equals(before.master())) {
                    metrics.failoverApplied(master);
                }
            }
        }
        SentinelEvent event = routing.trigger().event();
        synchronized (this) {
            Entry entry = event == null ? null : pending.remove(event);
            if (entry != null) {
                entry.decision = decision;
                entry.reason = reason;
            } else if (event == null && (APPLIED.equals(decision) || FENCED.equals(decision))) {
                String type = routing.trigger().promoted() != null ? "promotion seen" : "reconcile";
                append("relay", type, master, String.valueOf(routing.trigger()), decision, reason);
            }
        }
    }

    /** A {@code +switch-master} whose promoted server was never confirmed (after the retries). */
    public synchronized void refused(VerificationPendingException pending) {
        Entry entry = this.pending.remove(pending.verdict().trigger().event());
        if (entry != null) {
            entry.decision = REFUSED;
            entry.reason = "not confirmed: " + pending.verdict();
        }
    }

    /** The destination holds the routing now: timings of the master's last change, and propagation latency. */
    public void destinationApplied(String destination, Routing routing) {
        long now = System.nanoTime();
        problems.remove(destination + "/" + routing.name());
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

    // ---- views -----------------------------------------------------------------------------------

    /** The newest {@code limit} events, newest first. */
    public synchronized List<Entry> events(int limit) {
        List<Entry> out = new ArrayList<>(Math.min(limit, events.size()));
        var it = events.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }

    public int capacity() {
        return capacity;
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

    public List<SentinelStatus> sentinels() {
        return List.copyOf(sentinels.values());
    }

    private Entry append(String sentinel, String type, String master, String detail, String decision, String reason) {
        Entry entry = new Entry(++seq, sentinel, type, master, detail, decision, reason);
        events.addLast(entry);
        while (events.size() > capacity) {
            Entry dropped = events.removeFirst();
            pending.values().remove(dropped);
        }
        return entry;
    }

    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }
}
