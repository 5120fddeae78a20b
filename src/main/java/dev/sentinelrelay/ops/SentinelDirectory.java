package dev.sentinelrelay.ops;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelDiscovery;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.Vote;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the relay knows of each followed sentinel: configured or discovered and since when, its subscription,
 * whether it answered the last verification and what it voted, its last event and its errors. Finds a sentinel by
 * id, by address (as votes name it) and by the label events carry. With discovery on, also what the last discovery
 * check saw: sentinels listed by too few to be followed, and discovered ones on their way to being forgotten.
 */
public final class SentinelDirectory {

    /** What the relay knows of one followed sentinel. */
    public static final class SentinelStatus {
        final String id;
        final String address;
        final String origin;
        final Instant followedSince;
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

        SentinelStatus(String id, String address, String origin, Instant followedSince) {
            this.id = id;
            this.address = address;
            this.origin = origin;
            this.followedSince = followedSince;
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("address", address);
            m.put("origin", origin);
            m.put("followedSince", text(followedSince));
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

    /** In the order followed; changed by the discovery route while the API reads it, so copied under its lock. */
    private final Map<String, SentinelStatus> byId = new LinkedHashMap<>();
    private final Map<String, SentinelStatus> byAddress = new ConcurrentHashMap<>();
    private final Map<String, SentinelStatus> byLabel = new ConcurrentHashMap<>();
    /** What the last discovery check saw (candidates, unlisted); empty until one ran. */
    private volatile Map<String, Object> discovery = Map.of();

    /** @param sentinels id -> address of every configured sentinel, in order */
    public SentinelDirectory(Map<String, HostPort> sentinels) {
        Instant now = Instant.now();
        sentinels.forEach((id, address) -> followed(id, address, "configured", now));
    }

    /** The relay follows one more sentinel ({@code origin}: configured or discovered). */
    public synchronized void followed(String id, HostPort address, String origin, Instant since) {
        SentinelStatus status = new SentinelStatus(id, address.toString(), origin, since);
        byId.put(id, status);
        byAddress.put(address.toString(), status);
        byLabel.put(label(id, address), status);
    }

    /** The relay no longer follows the sentinel. */
    public synchronized void forgotten(String id, HostPort address) {
        byId.remove(id);
        byAddress.remove(address.toString());
        byLabel.remove(label(id, address));
    }

    /** The label the subscriber route puts on every event: "sentinel-1 (host:port)". */
    private static String label(String id, HostPort address) {
        return id + " (" + address.host() + ":" + address.port() + ")";
    }

    /** A discovery check asked the sentinel: {@code error} is why it did not answer, null when it did. */
    public void discoveryAnswer(HostPort address, String error) {
        failed(address, "discovery", error);
    }

    /** The sentinel refused the relay's subscription: its events are not heard. */
    public void subscriptionRefused(HostPort address, String reason) {
        failed(address, "subscription", reason);
    }

    private void failed(HostPort address, String what, String error) {
        SentinelStatus sentinel = byAddress.get(address.toString());
        if (sentinel == null) {
            return;
        }
        synchronized (sentinel) {
            sentinel.reachable = error == null;
            if (error != null) {
                sentinel.errors++;
                sentinel.lastError = what + ": " + error;
                sentinel.lastErrorAt = Instant.now();
            }
        }
    }

    /** What the last discovery check saw, for the API. */
    public void discovery(SentinelDiscovery.Decision decision, Instant at) {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("checkedAt", text(at));
        seen.put("candidates", decision.candidates().stream().map(c -> Map.of("address", c.address().toString(),
                "listedBy", c.listedBy(), "followed", c.followed(), "needed", c.needed())).toList());
        seen.put("unlisted", decision.unlisted().stream().map(u -> Map.of("address", u.address().toString(),
                "unlistedSince", text(u.since()), "forgottenAt", text(u.forgottenAt()))).toList());
        discovery = seen;
    }

    public Map<String, Object> discovery() {
        return discovery;
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
        SentinelStatus sentinel;
        synchronized (this) {
            sentinel = byId.get(sentinelId);
        }
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

    public synchronized List<SentinelStatus> sentinels() {
        return List.copyOf(byId.values());
    }

    /** How many sentinels answered their last question. */
    public long reachable() {
        return sentinels().stream().filter(s -> Boolean.TRUE.equals(s.reachable)).count();
    }

    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }
}
