package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VoteTallyTest {

    private static final HostPort A = new HostPort("10.0.0.1", 6379);
    private static final HostPort B = new HostPort("10.0.0.2", 6379);

    @Test
    void aStrictMajorityOfTheConfiguredSentinelsDecides() {
        assertEquals(Optional.of(A), VoteTally.majority(List.of(Vote.of("s1", A), Vote.of("s2", A), Vote.of("s3", B)), 3));
        assertEquals(Optional.of(A), VoteTally.majority(List.of(Vote.of("s1", A), Vote.of("s2", A), Vote.failed("s3", "timed out")), 3));
    }

    @Test
    void silenceIsNotConsent() {
        // one answer out of three configured sentinels is no majority, even though every answer agrees
        assertEquals(Optional.empty(), VoteTally.majority(List.of(Vote.of("s1", A), Vote.failed("s2", "unreachable"),
                Vote.failed("s3", "unreachable")), 3));
    }

    @Test
    void aTieIsNoMajority() {
        assertEquals(Optional.empty(), VoteTally.majority(List.of(Vote.of("s1", A), Vote.of("s2", A), Vote.of("s3", B),
                Vote.of("s4", B)), 4));
        assertEquals(Optional.empty(), VoteTally.majority(List.of(Vote.of("s1", A), Vote.of("s2", B),
                Vote.failed("s3", "unknown master")), 3));
    }

    @Test
    void countsSentinelsThatAnswered() {
        assertEquals(2, VoteTally.reachable(List.of(Vote.of("s1", A), Vote.failed("s2", "unknown master"),
                Vote.failed("s3", "unreachable: refused"))));
    }
}
