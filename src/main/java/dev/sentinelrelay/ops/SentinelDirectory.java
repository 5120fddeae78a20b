package dev.sentinelrelay.ops;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.sentinel.Verdict;
import dev.sentinelrelay.sentinel.Vote;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the relay knows of each configured sentinel: its subscription, whether it answered the last verification
 * and what it voted, its last event and its errors. Finds a sentinel by id, by address (as votes name it) and by
 * the label events carry.
 */
public final class SentinelDirectory {

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

    private final Map<String, SentinelStatus> byId = new LinkedHashMap<>();
    private final Map<String, SentinelStatus> byAddress = new ConcurrentHashMap<>();
    private final Map<String, SentinelStatus> byLabel = new ConcurrentHashMap<>();

    /** @param sentinels id -> address of every configured sentinel, in order */
    public SentinelDirectory(Map<String, HostPort> sentinels) {
        sentinels.forEach((id, address) -> {
            SentinelStatus status = new SentinelStatus(id, address.toString());
            byId.put(id, status);
            byAddress.put(address.toString(), status);
            // the label the subscriber route puts on every event: "sentinel-1 (host:port)"
            byLabel.put(id + " (" + address.host() + ":" + address.port() + ")", status);
        });
    }

    /** A valid event arrived from the sentinel; returns its id (the label itself for an unknown sentinel). */
    public String received(SentinelEvent event) {
        SentinelStatus sentinel = byLabel.get(event.sentinel());
        if (sentinel == null) {
            return event.sentinel();
        }
        sentinel.lastEvent = event.type() + (event.master() == null ? "" : " " + event.master());
        sentinel.lastEventAt = Instant.now();
        return sentinel.id;
    }

    /** An event from the sentinel failed validation; returns its id (the label itself for an unknown sentinel). */
    public String rejected(String sentinelLabel) {
        SentinelStatus sentinel = byLabel.get(sentinelLabel);
        if (sentinel == null) {
            return sentinelLabel;
        }
        sentinel.rejected++; // each sentinel's events arrive on its own single thread
        return sentinel.id;
    }

    /** Each sentinel's vote in a verification: whether it answered, what it named, its error. */
    public void verdict(Verdict verdict) {
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
        SentinelStatus sentinel = byId.get(sentinelId);
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

    public List<SentinelStatus> sentinels() {
        return List.copyOf(byId.values());
    }

    /** How many sentinels answered their last question. */
    public long reachable() {
        return byId.values().stream().filter(s -> Boolean.TRUE.equals(s.reachable)).count();
    }

    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }
}
