package dev.sentinelrelay.cluster;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Who leads the cluster as this relay last read it in ZooKeeper, the changes of leader it saw
 * (relay_leadership_changes_total) and the last takeovers (GET /api/cluster).
 */
final class LeaderSightings {

    private static final int TAKEOVERS_KEPT = 10;

    /** What GET /api/cluster shows of the sightings, read at one time. */
    record Snapshot(String leader, String since, long changes, List<Leadership.Takeover> takeovers) {
    }

    private final String self;
    private final Deque<Leadership.Takeover> takeovers = new ArrayDeque<>();
    private long changes;
    /** who leads as last read from ZooKeeper; null while the election has no node */
    private String leader;
    private String leaderSince;
    /** the last relay known to lead, for the changes and takeovers */
    private String lastKnownLeader;
    /** another relay seen leading since this relay's last term: who a new term takes over from (null: nobody) */
    private String otherSinceTerm;

    LeaderSightings(String self) {
        this.self = self;
    }

    /** Who leads now, as ZooKeeper says; null: nobody (the election has no node). */
    synchronized void seen(String instance) {
        if (Objects.equals(instance, leader)) {
            return;
        }
        String now = Instant.now().toString();
        leader = instance;
        leaderSince = now;
        if (instance == null || instance.equals(lastKnownLeader)) {
            return;
        }
        if (!instance.equals(self)) {
            otherSinceTerm = instance;
        }
        if (lastKnownLeader != null) {
            changes++;
        }
        takeovers.addFirst(new Leadership.Takeover(now, lastKnownLeader, instance));
        while (takeovers.size() > TAKEOVERS_KEPT) {
            takeovers.removeLast();
        }
        lastKnownLeader = instance;
    }

    /**
     * This relay begins a term: whom it takes over from, another relay seen leading since its last term; null after a
     * short step-down of its own (a connection blip), which takes over from nobody.
     */
    synchronized String beginTerm() {
        String previous = otherSinceTerm;
        otherSinceTerm = null;
        return previous;
    }

    synchronized String leader() {
        return leader;
    }

    synchronized long changes() {
        return changes;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(leader, leaderSince, changes, List.copyOf(takeovers));
    }
}
