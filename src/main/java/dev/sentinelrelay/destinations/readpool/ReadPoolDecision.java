package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides who serves a master's reads. Pure: from the sentinels' replica lists, the master's replication offsets
 * and the master's routing.
 * <ul>
 * <li>A replica is in when a strict majority of the sentinels followed calls it healthy (no {@code s_down},
 * {@code o_down} or {@code disconnected} flag, master link {@code ok}) and, unless the lag check is off, the
 * master lists it online no more than {@code maxLagBytes} behind (while the master's offsets are unknown, its last
 * verdict). One sentinel's opinion moves nothing.</li>
 * <li>The master is in when it is the verified, unfenced master and either serves reads by configuration or no
 * replica qualifies (reads never fail only because every replica is syncing). A fenced master is never in.</li>
 * </ul>
 */
public final class ReadPoolDecision {

    private ReadPoolDecision() {
    }

    /**
     * @param answers   each followed sentinel's replica list; null for a sentinel that did not answer
     * @param sentinels how many sentinels were asked (the majority is counted over them, not over those heard)
     * @param offsets   the master's replication offsets; null when not known (no verified master, INFO failed)
     * @param previous  the last decision; null when none. While the offsets are unknown (a failover fences the master),
     *                  a replica that still qualifies by the sentinels keeps its last lag verdict: judged out for an
     *                  unknown lag, every replica would leave and reads would fail for the whole failover.
     */
    public static ReadPool decide(String master, ReadPoolTarget target, Routing routing, List<List<ReplicaReport>> answers,
                                  int sentinels, ReplicationOffsets offsets, ReadPool previous) {
        HostPort current = routing == null ? null : routing.master();
        Set<HostPort> replicas = new LinkedHashSet<>();
        answers.stream().filter(Objects::nonNull).flatMap(List::stream).map(ReplicaReport::address)
                .filter(a -> !a.equals(current)).forEach(replicas::add);
        List<PoolMember> members = new ArrayList<>();
        for (HostPort replica : replicas) {
            members.add(replica(replica, target, answers, sentinels, offsets, previous));
        }
        if (current != null) {
            members.add(0, master(current, routing, target, members.stream().anyMatch(PoolMember::in)));
        }
        return new ReadPool(master, target, List.copyOf(members));
    }

    private static PoolMember master(HostPort address, Routing routing, ReadPoolTarget target, boolean replicaIn) {
        if (routing.fenced()) {
            return new PoolMember(address, "master", false, "fenced: " + routing.reason());
        }
        if (target.includeMaster()) {
            return new PoolMember(address, "master", true, "the verified master");
        }
        return replicaIn ? new PoolMember(address, "master", false, "the master (read-include-master=false)")
                : new PoolMember(address, "master", true, "the master, serving reads while no replica qualifies");
    }

    private static PoolMember replica(HostPort address, ReadPoolTarget target, List<List<ReplicaReport>> answers,
                                      int sentinels, ReplicationOffsets offsets, ReadPool previous) {
        int majority = sentinels / 2 + 1;
        int healthy = 0;
        Map<String, Integer> problems = new LinkedHashMap<>();
        for (List<ReplicaReport> answer : answers) {
            Optional<ReplicaReport> report = answer == null ? Optional.empty()
                    : answer.stream().filter(r -> r.address().equals(address)).findFirst();
            String problem = answer == null ? "no answer" : report.isEmpty() ? "not listed" : report.get().problem();
            if (problem == null) {
                healthy++;
            } else {
                problems.merge(problem, 1, Integer::sum);
            }
        }
        problems.merge("no answer", sentinels - answers.size(), Integer::sum);
        problems.values().removeIf(n -> n == 0);
        if (healthy < majority) {
            return new PoolMember(address, "replica", false, "healthy for " + healthy + " of " + sentinels
                    + " sentinels (" + problems.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ")) + ")");
        }
        String healthyFor = "healthy for " + healthy + " of " + sentinels + " sentinels";
        if (target.maxLagBytes() == 0) {
            return new PoolMember(address, "replica", true, healthyFor);
        }
        if (offsets == null && wasInAsReplica(previous, address)) {
            return new PoolMember(address, "replica", true, healthyFor + ", its lag unknown (master not verified or not answering): kept in");
        }
        if (offsets == null) {
            return new PoolMember(address, "replica", false, healthyFor + ", but its lag is unknown (master not verified or not answering)");
        }
        Long offset = offsets.online().get(address);
        if (offset == null) {
            return new PoolMember(address, "replica", false, healthyFor + ", but the master does not list it online");
        }
        long lag = Math.max(0, offsets.masterOffset() - offset);
        if (lag > target.maxLagBytes()) {
            return new PoolMember(address, "replica", false, "lags " + lag + " bytes behind the master (at most "
                    + target.maxLagBytes() + ")");
        }
        return new PoolMember(address, "replica", true, healthyFor + ", " + lag + " bytes behind");
    }

    private static boolean wasInAsReplica(ReadPool previous, HostPort address) {
        return previous != null && previous.member(address.host(), address.port())
                .filter(m -> m.in() && m.role().equals("replica")).isPresent();
    }
}
