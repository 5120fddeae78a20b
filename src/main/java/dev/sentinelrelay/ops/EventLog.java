package dev.sentinelrelay.ops;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.VerificationPendingException;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last events (a bounded ring buffer) and what became of each: an event waits as "logged only" until a route
 * says more (watched, queued for verification, then the master's decision). Changes the relay made by itself (a
 * reconcile, a seen promotion) are entries too.
 */
public final class EventLog {

    /** Decisions: what became of an event. */
    public static final String PENDING = "pending", APPLIED = "applied", DEDUPLICATED = "deduplicated",
            FENCED = "fenced", REFUSED = "refused", REJECTED = "rejected", WATCHING = "watching promotion",
            LOGGED = "logged only";

    /** A decision and why (null when there is nothing to add). */
    public record Decision(String name, String reason) {
    }

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

    private final int capacity;
    private final Deque<Entry> events = new ArrayDeque<>();
    /** Events waiting for their master's decision, by identity (three sentinels publish equal-looking events). */
    private final Map<SentinelEvent, Entry> pending = new IdentityHashMap<>();
    private long seq;

    /** @param capacity how many events the ring buffer keeps */
    public EventLog(int capacity) {
        this.capacity = capacity;
    }

    /** A valid event from the sentinel (its id) arrived: until a route says more, it is only logged. */
    public synchronized void received(String sentinel, SentinelEvent event) {
        pending.put(event, append(sentinel, event.type(), event.master(), event.toString(), LOGGED, null));
    }

    /** An event from the sentinel failed validation at the edge. */
    public synchronized void rejected(String sentinel, String detail) {
        append(sentinel, "rejected", null, null, REJECTED, detail);
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

    /**
     * The master's resolver decided: the triggering event gets the decision; reconciles and seen promotions get an
     * entry of their own, only when they changed something.
     */
    public synchronized void decided(Routing routing, Decision decision) {
        SentinelEvent event = routing.trigger().event();
        Entry entry = event == null ? null : pending.remove(event);
        if (entry != null) {
            entry.decision = decision.name();
            entry.reason = decision.reason();
        } else if (event == null && (APPLIED.equals(decision.name()) || FENCED.equals(decision.name()))) {
            String type = routing.trigger().promoted() != null ? "promotion seen" : "reconcile";
            append("relay", type, routing.name(), String.valueOf(routing.trigger()), decision.name(), decision.reason());
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

    private Entry append(String sentinel, String type, String master, String detail, String decision, String reason) {
        Entry entry = new Entry(++seq, sentinel, type, master, detail, decision, reason);
        events.addLast(entry);
        while (events.size() > capacity) {
            Entry dropped = events.removeFirst();
            pending.values().remove(dropped);
        }
        return entry;
    }
}
