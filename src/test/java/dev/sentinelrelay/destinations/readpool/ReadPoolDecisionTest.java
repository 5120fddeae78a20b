package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadPoolDecisionTest {

    static final HostPort MASTER = new HostPort("10.0.0.1", 6379);
    static final HostPort R1 = new HostPort("10.0.0.2", 6379);
    static final HostPort R2 = new HostPort("10.0.0.3", 6379);
    static final ReadPoolTarget POOL = new ReadPoolTarget("redis_read", 1024, true, false);
    static final Routing ROUTED = Routing.route(Trigger.reconcile("m"), MASTER);

    static ReplicaReport healthy(HostPort replica) {
        return new ReplicaReport(replica, "slave", "ok");
    }

    static ReplicaReport flagged(HostPort replica, String flags) {
        return new ReplicaReport(replica, "slave," + flags, "ok");
    }

    /** Both replicas online, R1 at {@code r1Offset}, R2 in step, the master at 10000. */
    static ReplicationOffsets offsets(long r1Offset) {
        return new ReplicationOffsets(10_000, Map.of(R1, r1Offset, R2, 10_000L));
    }

    private static ReadPool decide(ReadPoolTarget target, Routing routing, ReplicationOffsets offsets,
                                   List<ReplicaReport>... answers) {
        return ReadPoolDecision.decide("m", target, routing, Arrays.asList(answers), 3, offsets, null);
    }

    private static PoolMember member(ReadPool pool, HostPort address) {
        return pool.member(address.host(), address.port()).orElseThrow();
    }

    @Test
    void healthyReplicasInStepAndTheMasterServeReads() {
        ReadPool pool = decide(POOL, ROUTED, offsets(10_000), List.of(healthy(R1), healthy(R2)),
                List.of(healthy(R1), healthy(R2)), List.of(healthy(R1), healthy(R2)));
        assertEquals(List.of(MASTER, R1, R2), pool.in());
        assertEquals("master", member(pool, MASTER).role());
        assertEquals("healthy for 3 of 3 sentinels, 0 bytes behind", member(pool, R1).reason());
    }

    @Test
    void oneSentinelsOpinionMovesNothingAMajorityDoes() {
        ReadPool one = decide(POOL, ROUTED, offsets(10_000), List.of(flagged(R1, "s_down"), healthy(R2)),
                List.of(healthy(R1), healthy(R2)), List.of(healthy(R1), healthy(R2)));
        assertTrue(member(one, R1).in());
        ReadPool two = decide(POOL, ROUTED, offsets(10_000), List.of(flagged(R1, "s_down"), healthy(R2)),
                List.of(flagged(R1, "s_down"), healthy(R2)), List.of(healthy(R1), healthy(R2)));
        assertFalse(member(two, R1).in());
        assertEquals("healthy for 1 of 3 sentinels (s_down: 2)", member(two, R1).reason());
    }

    @Test
    void silenceIsNotHealthTheMajorityCountsTheConfiguredSentinels() {
        ReadPool pool = ReadPoolDecision.decide("m", POOL, ROUTED, Arrays.asList(List.of(healthy(R1)), null), 3,
                offsets(10_000), null);
        assertFalse(member(pool, R1).in());
        assertEquals("healthy for 1 of 3 sentinels (no answer: 2)", member(pool, R1).reason());
    }

    @Test
    void aBrokenLinkODownOrDisconnectedKeepsAReplicaOut() {
        ReplicaReport linkDown = new ReplicaReport(R1, "slave", "err");
        ReadPool pool = decide(POOL, ROUTED, offsets(10_000), List.of(linkDown), List.of(linkDown),
                List.of(flagged(R1, "disconnected")));
        assertEquals("healthy for 0 of 3 sentinels (master link err: 2, disconnected: 1)", member(pool, R1).reason());
        assertEquals("o_down", flagged(R1, "s_down,o_down").problem());
    }

    @Test
    void aReplicaLaggingPastTheLimitIsOutAndBackWhenItCaughtUp() {
        List<ReplicaReport> all = List.of(healthy(R1), healthy(R2));
        ReadPool lagging = decide(POOL, ROUTED, offsets(10_000 - 1025), all, all, all);
        assertFalse(member(lagging, R1).in());
        assertEquals("lags 1025 bytes behind the master (at most 1024)", member(lagging, R1).reason());
        assertTrue(member(decide(POOL, ROUTED, offsets(10_000 - 1024), all, all, all), R1).in());
    }

    @Test
    void withoutTheMastersOffsetsOrItsOnlineListingAReplicaIsOutUnlessTheLagCheckIsOff() {
        List<ReplicaReport> all = List.of(healthy(R1));
        assertFalse(member(decide(POOL, ROUTED, null, all, all, all), R1).in());
        ReadPool notOnline = decide(POOL, ROUTED, new ReplicationOffsets(10, Map.of()), all, all, all);
        assertEquals("healthy for 3 of 3 sentinels, but the master does not list it online", member(notOnline, R1).reason());
        ReadPoolTarget noLagCheck = new ReadPoolTarget("redis_read", 0, true, false);
        assertTrue(member(decide(noLagCheck, ROUTED, null, all, all, all), R1).in());
    }

    /** A failover fences the master: its offsets are unknown until the new one is verified. */
    @Test
    void whileTheLagIsUnknownAHealthyReplicaKeepsItsLastVerdict() {
        Routing fenced = Routing.fence(Trigger.reconcile("m"), MASTER, "failover in progress");
        List<ReplicaReport> all = List.of(healthy(R1), healthy(R2));
        ReadPool before = decide(POOL, ROUTED, offsets(10_000 - 1025), all, all, all);
        ReadPool during = ReadPoolDecision.decide("m", POOL, fenced, List.of(all, all, all), 3, null, before);
        assertEquals(List.of(R2), during.in(), "R2 was in, R1 lagged: both keep that; the fenced master is out");
        assertEquals("healthy for 3 of 3 sentinels, its lag unknown (master not verified or not answering): kept in",
                member(during, R2).reason());
        List<ReplicaReport> r2Down = List.of(healthy(R1), flagged(R2, "s_down"));
        ReadPool r2Fails = ReadPoolDecision.decide("m", POOL, fenced, List.of(r2Down, r2Down, all), 3, null, during);
        assertEquals(List.of(), r2Fails.in(), "the sentinels' verdict still counts");
    }

    @Test
    void withoutIncludeMasterTheMasterServesOnlyWhileNoReplicaQualifies() {
        ReadPoolTarget replicasFirst = new ReadPoolTarget("redis_read", 1024, false, false);
        List<ReplicaReport> all = List.of(healthy(R1));
        assertFalse(member(decide(replicasFirst, ROUTED, offsets(10_000), all, all, all), MASTER).in());
        List<ReplicaReport> down = List.of(flagged(R1, "s_down"));
        ReadPool fallback = decide(replicasFirst, ROUTED, offsets(10_000), down, down, down);
        assertEquals(List.of(MASTER), fallback.in());
    }

    @Test
    void aFencedMasterIsNeverInAndAFormerMasterListedAsReplicaIsJudgedAsOne() {
        Routing fenced = Routing.fence(Trigger.reconcile("m"), MASTER, "a majority of sentinels sees it down");
        ReadPoolTarget replicasFirst = new ReadPoolTarget("redis_read", 0, false, false);
        List<ReplicaReport> down = List.of(flagged(R1, "s_down"), healthy(MASTER));
        ReadPool pool = decide(replicasFirst, fenced, null, down, down, down);
        assertEquals(List.of(), pool.in());
        assertEquals("fenced: a majority of sentinels sees it down", member(pool, MASTER).reason());
        assertEquals(2, pool.members().size(), "the master's stale replica row is not a second member");
    }
}
