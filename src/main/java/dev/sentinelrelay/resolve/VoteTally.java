package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Counts sentinel votes. A master is agreed only when a strict majority of the followed sentinels names it. */
public final class VoteTally {

    private VoteTally() {
    }

    /**
     * @param configured the number of sentinels followed when they were asked (not the number that answered: silence
     *                   is not consent)
     */
    public static Optional<HostPort> majority(List<Vote> votes, int configured) {
        Map<HostPort, Long> counts = votes.stream()
                .map(Vote::master)
                .filter(Objects::nonNull)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        return counts.entrySet().stream()
                .filter(e -> e.getValue() > configured / 2)
                .map(Map.Entry::getKey)
                .findFirst();
    }

    public static long reachable(List<Vote> votes) {
        return votes.stream().filter(Vote::answered).count();
    }
}
