package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sentinels the relay follows now: the configured ones (never dropped) and, with discovery on, those it
 * discovered. Verification, fencing and readiness count their majority over this set as it is when they ask.
 * Changed only by the discovery route (one thread); read by everyone, lock-free, as an immutable snapshot.
 */
public final class FollowedSentinels {

    /**
     * One followed sentinel.
     *
     * @param id         names its subscriber route and its events ({@code sentinel-<n>}; never reused)
     * @param configured from {@code relay.sentinels} (a seed), else discovered
     * @param since      when the relay started following it
     */
    public record Sentinel(String id, HostPort address, boolean configured, Instant since) {
        public String origin() {
            return configured ? "configured" : "discovered";
        }

        @Override
        public String toString() {
            return id + " (" + address + ")";
        }
    }

    private volatile List<Sentinel> current;
    /** How many sentinels were ever followed: the next one's id is {@code sentinel-<count + 1>}. */
    private int count;

    public FollowedSentinels(List<HostPort> configured, Instant now) {
        List<Sentinel> seeds = new ArrayList<>();
        for (HostPort address : configured) {
            seeds.add(new Sentinel(SentinelSubscriptions.sentinelId(seeds.size()), address, true, now));
        }
        current = List.copyOf(seeds);
        count = seeds.size();
    }

    public List<Sentinel> all() {
        return current;
    }

    public List<HostPort> addresses() {
        return current.stream().map(Sentinel::address).toList();
    }

    /** A strict majority of the sentinels followed now. */
    public int majority() {
        return current.size() / 2 + 1;
    }

    public Optional<Sentinel> find(HostPort address) {
        return current.stream().filter(s -> s.address().equals(address)).findFirst();
    }

    /** Follows a discovered sentinel under a new id. */
    public synchronized Sentinel add(HostPort address, Instant now) {
        if (find(address).isPresent()) {
            throw new IllegalStateException(address + " is followed already");
        }
        Sentinel added = new Sentinel(SentinelSubscriptions.sentinelId(count++), address, false, now);
        List<Sentinel> next = new ArrayList<>(current);
        next.add(added);
        current = List.copyOf(next);
        return added;
    }

    /** Stops following a discovered sentinel; a configured one is never removed. */
    public synchronized Sentinel remove(HostPort address) {
        Sentinel gone = find(address).orElseThrow(() -> new IllegalStateException(address + " is not followed"));
        if (gone.configured()) {
            throw new IllegalStateException(gone + " is configured: it is never forgotten");
        }
        List<Sentinel> next = new ArrayList<>(current);
        next.remove(gone);
        current = List.copyOf(next);
        return gone;
    }
}
