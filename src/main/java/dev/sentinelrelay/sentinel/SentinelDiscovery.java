package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which sentinels to start and to stop following, given what each followed sentinel lists
 * ({@code SENTINEL SENTINELS}). One sentinel's list may hold a forged or stale entry, so every decision takes a
 * strict majority of the sentinels followed now (not of those that answered: silence is not consent):
 * <ul>
 *   <li>a sentinel is followed once a majority lists it;</li>
 *   <li>a discovered sentinel is forgotten once a majority has answered without it, without a break, for
 *       {@code forgetAfter} (it does not list itself, so it never counts for or against itself); a sentinel that
 *       answers nothing changes nothing, so a network outage forgets nobody;</li>
 *   <li>a configured sentinel is never forgotten.</li>
 * </ul>
 * A sentinel is recognised by its address or by its run id (what a followed sentinel reported as its own), so a
 * seed configured under a hostname and listed under its IP address is not followed twice (nobody is followed while
 * such a seed has not answered yet). No I/O: the times and
 * answers come in, the decision goes out; it remembers run ids and since when a sentinel has gone unlisted.
 */
public final class SentinelDiscovery {

    /** What one followed sentinel answered: its own run id and the sentinels it lists for the followed masters. */
    public record Answer(String runId, Set<Peer> peers) {
    }

    /** One entry of a {@code SENTINEL SENTINELS} reply. */
    public record Peer(HostPort address, String runId) {
    }

    /** A sentinel listed by too few followed sentinels to be followed (for the API). */
    public record Candidate(HostPort address, int listedBy, int followed, int needed) {
    }

    /** A discovered sentinel a majority answers without, and since when (for the API). */
    public record Unlisted(HostPort address, Instant since, Instant forgottenAt) {
    }

    /**
     * @param changes    to apply, in order: followed first, then forgotten
     * @param candidates sentinels listed, but not by a majority: neither followed nor counted
     * @param unlisted   discovered sentinels on their way to being forgotten
     */
    public record Decision(List<SentinelChange> changes, List<Candidate> candidates, List<Unlisted> unlisted) {
    }

    private final Duration forgetAfter;
    /** Run ids the followed sentinels last reported as their own, by address. */
    private final Map<HostPort, String> runIds = new HashMap<>();
    private final Map<HostPort, Instant> unlistedSince = new HashMap<>();

    public SentinelDiscovery(Duration forgetAfter) {
        this.forgetAfter = forgetAfter;
    }

    /**
     * @param followed the sentinels followed now
     * @param answers  followed sentinel's address -> its answer; a sentinel that did not answer is absent
     */
    public Decision decide(List<FollowedSentinels.Sentinel> followed, Map<HostPort, Answer> answers, Instant now) {
        int majority = followed.size() / 2 + 1;
        Set<HostPort> followedAddresses = new HashSet<>();
        followed.forEach(s -> followedAddresses.add(s.address()));
        runIds.keySet().retainAll(followedAddresses);
        unlistedSince.keySet().retainAll(followedAddresses);
        answers.forEach((address, answer) -> {
            if (answer.runId() != null && followedAddresses.contains(address)) {
                runIds.put(address, answer.runId());
            }
        });
        Map<String, HostPort> followedByRunId = new HashMap<>();
        runIds.forEach((address, runId) -> followedByRunId.put(runId, address));

        // what each answering sentinel lists, each entry named by the followed address it is, if it is one
        Map<HostPort, Set<HostPort>> lists = new HashMap<>();
        answers.forEach((address, answer) -> {
            Set<HostPort> listed = new HashSet<>();
            for (Peer peer : answer.peers()) {
                listed.add(followedAddresses.contains(peer.address()) ? peer.address()
                        : followedByRunId.getOrDefault(peer.runId(), peer.address()));
            }
            listed.remove(address);
            lists.put(address, listed);
        });

        List<SentinelChange> changes = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        Map<HostPort, Integer> listedBy = new TreeMap<>(Comparator.comparing(HostPort::toString));
        lists.values().forEach(listed -> listed.forEach(a -> listedBy.merge(a, 1, Integer::sum)));
        // a seed configured by hostname is known under its IP address only by its run id: until it told the relay
        // its run id, any listed address might be that seed, and following it would count one sentinel twice
        boolean seedUnrecognised = followed.stream().anyMatch(s -> s.configured()
                && !HostPort.isIpLiteral(s.address().host()) && !runIds.containsKey(s.address()));
        listedBy.forEach((address, count) -> {
            if (followedAddresses.contains(address)) {
                return;
            }
            if (count >= majority && !seedUnrecognised) {
                changes.add(SentinelChange.follow(address, "listed by " + count + " of the " + followed.size()
                        + " followed sentinels (majority " + majority + ")"));
            } else {
                candidates.add(new Candidate(address, count, followed.size(), majority));
            }
        });

        List<Unlisted> unlisted = new ArrayList<>();
        for (FollowedSentinels.Sentinel sentinel : followed) {
            if (sentinel.configured()) {
                continue;
            }
            long without = lists.entrySet().stream()
                    .filter(e -> !e.getKey().equals(sentinel.address()) && !e.getValue().contains(sentinel.address()))
                    .count();
            if (without < majority) {
                unlistedSince.remove(sentinel.address());
                continue;
            }
            Instant since = unlistedSince.computeIfAbsent(sentinel.address(), a -> now);
            Instant forgottenAt = since.plus(forgetAfter);
            if (now.isBefore(forgottenAt)) {
                unlisted.add(new Unlisted(sentinel.address(), since, forgottenAt));
            } else {
                unlistedSince.remove(sentinel.address());
                changes.add(SentinelChange.forget(sentinel.address(), "not listed by " + without + " of the "
                        + followed.size() + " followed sentinels (majority " + majority + ") since " + since
                        + " (relay.sentinels.forget-after " + forgetAfter + ")"));
            }
        }
        return new Decision(List.copyOf(changes), List.copyOf(candidates), List.copyOf(unlisted));
    }
}
