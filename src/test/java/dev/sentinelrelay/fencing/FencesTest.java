package dev.sentinelrelay.fencing;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.VerificationPendingException;
import dev.sentinelrelay.resolve.Vote;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing decisions. The sentinels are closed loopback ports: {@link Fences#routing} never asks them, and an
 * {@code +odown} finds no majority that sees the master down.
 */
class FencesTest {

    private static final HostPort A = new HostPort("10.0.0.1", 6379);
    private static final HostPort B = new HostPort("10.0.0.2", 6379);

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private MasterResolver resolver;
    private Fences fences;

    private Fences fences(Map<String, String> properties) {
        RelayConfig config = RelayConfig.from(properties::get);
        resolver = new MasterResolver(config, config::sentinels, new RelayHealth(config.masters(), config::sentinelMajority), verdict -> { },
                pool);
        fences = new Fences(config, resolver, new PromotionWatch(resolver, config.fenceTimeout(), trigger -> { },
                master -> Executors.newSingleThreadExecutor()));
        return fences;
    }

    private static Map<String, String> config() throws IOException {
        Map<String, String> p = RelayConfigTest.valid();
        p.put("relay.sentinels", closedPorts(3).stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
        p.put("relay.verify.timeout", "200ms");
        return p;
    }

    /** Distinct ports nobody listens on: all held open while picked, since a port just closed may be handed out again. */
    private static List<Integer> closedPorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    @AfterEach
    void close() {
        if (resolver != null) {
            resolver.close();
        }
        pool.shutdownNow();
    }

    private static Verdict verified(HostPort master) {
        return new Verdict(Trigger.reconcile("mymaster"), master, List.of(Vote.of("s1", master)), null);
    }

    private static Verdict refused() {
        return new Verdict(Trigger.reconcile("mymaster"), null, List.of(Vote.failed("s1", "timed out")), "no majority");
    }

    private static void assertRoute(HostPort master, Routing routing) {
        assertTrue(routing.changes(), routing.toString());
        assertFalse(routing.fenced(), routing.toString());
        assertEquals(master, routing.master());
    }

    private static void assertFenced(HostPort master, Routing routing) {
        assertTrue(routing.fenced(), routing.toString());
        assertEquals(master, routing.master());
    }

    @Test
    void aVerifiedMasterIsRouted() throws IOException {
        assertRoute(A, fences(config()).decision(verified(A)).routing());
    }

    @Test
    void aRefusedVerdictChangesNothing() throws IOException {
        Routing routing = fences(config()).decision(refused()).routing();
        assertFalse(routing.changes());
        assertFalse(routing.fenced());
        assertTrue(routing.reason().startsWith("no majority votes "), routing.reason());
    }

    @Test
    void nothingIsFencedBeforeAMasterWasVerified() throws IOException {
        Fences f = fences(config());
        assertNull(f.observe(Trigger.promotion("mymaster", B)));
        assertRoute(A, f.decision(verified(A)).routing());
    }

    @Test
    void anotherServerPromotedFencesTheVerifiedMasterAtOnce() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        Routing fence = f.observe(Trigger.promotion("mymaster", B));
        assertNotNull(fence);
        assertFenced(A, fence);
        assertEquals("replica 10.0.0.2:6379 answers ROLE master", fence.reason());
    }

    @Test
    void decideFencesASeenPromotionWithoutAskingTheSentinels() throws IOException {
        Fences f = fences(config()); // the configured sentinels are closed ports: a verification would be refused
        f.decision(verified(A)).routing();
        assertFenced(A, f.decide(Trigger.promotion("mymaster", B)).routing());
    }

    @Test
    void decideVerifiesWhenNothingIsFenced() throws IOException {
        Fences f = fences(config());
        Routing routing = f.decide(Trigger.reconcile("mymaster")).routing();
        assertFalse(routing.changes(), "no sentinel answers, so nothing may change: " + routing);
    }

    @Test
    void theVerifiedMasterItselfAnsweringMasterFencesNothing() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        assertNull(f.observe(Trigger.promotion("mymaster", A)));
        assertRoute(A, f.decision(verified(A)).routing());
    }

    @Test
    void aVerdictNamingTheFencedMasterStaysFenced() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        Routing routing = f.decision(verified(A)).routing();
        assertFenced(A, routing);
        assertEquals("replica 10.0.0.2:6379 answers ROLE master", routing.reason());
    }

    @Test
    void aRefusedVerdictKeepsTheFence() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        assertFenced(A, f.decision(refused()).routing());
    }

    @Test
    void aVerdictNamingAnotherMasterLiftsTheFence() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        assertRoute(B, f.decision(verified(B)).routing());
        assertRoute(A, f.decision(verified(A)).routing()); // the fence is gone: the old master may be routed again once verified
    }

    @Test
    void minusOdownDoesNotLiftAFenceFromAPromotion() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        assertNull(f.observe(Trigger.of(new SentinelEvent("-odown", "mymaster", A, null, "s1"))));
        assertFenced(A, f.decision(verified(A)).routing());
    }

    @Test
    void aSingleOdownWithoutAMajorityDoesNotFence() throws IOException {
        Fences f = fences(config());
        f.decision(verified(A)).routing();
        assertNull(f.observe(Trigger.of(new SentinelEvent("+odown", "mymaster", A, null, "s1"))));
        assertRoute(A, f.decision(verified(A)).routing());
    }

    private static Trigger switchMaster(HostPort from, HostPort to) {
        return Trigger.of(new SentinelEvent("+switch-master", "mymaster", from, to, "s2"));
    }

    @Test
    void aSwitchMasterCopyThatArrivedBeforeAVerificationNamingItIsAnsweredWithoutAskingAgain() throws IOException {
        Fences f = fences(config()); // closed sentinel ports: a verification would be refused
        Trigger copy = switchMaster(A, B);
        f.decision(verified(B)).routing();
        assertRoute(B, f.decide(copy).routing());
    }

    @Test
    void aSwitchMasterThatArrivedAfterTheLastVerificationIsVerified() throws IOException {
        Fences f = fences(config());
        f.decision(verified(B)).routing();
        Trigger later = switchMaster(A, B);
        // verified again: no sentinel answers, so the event stays unconfirmed (the route retries it)
        assertThrows(VerificationPendingException.class, () -> f.decide(later));
    }

    @Test
    void aSwitchMasterNamingAnotherServerIsVerified() throws IOException {
        Fences f = fences(config());
        Trigger other = switchMaster(B, A);
        f.decision(verified(B)).routing();
        assertThrows(VerificationPendingException.class, () -> f.decide(other));
    }

    @Test
    void anOdownOfAFencedMasterKeepsItFencedWithoutAskingTheSentinels() throws IOException {
        Fences f = fences(config()); // no majority sees anything down: only the standing fence can fence it
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        Routing routing = f.decide(Trigger.of(new SentinelEvent("+odown", "mymaster", A, null, "s3"))).routing();
        assertFenced(A, routing);
        assertEquals("replica 10.0.0.2:6379 answers ROLE master", routing.reason());
    }

    @Test
    void withFencingOffNothingIsEverFenced() throws IOException {
        Map<String, String> p = config();
        p.put("relay.haproxy.mymaster.fence", "false");
        Fences f = fences(p);
        f.decision(verified(A)).routing();
        assertNull(f.observe(Trigger.promotion("mymaster", B)));
        assertRoute(A, f.decision(verified(A)).routing());
        assertRoute(A, f.decision(verified(A)).routing());
    }

    @Test
    void aFenceRunsOutAndAsksForAReconcile() throws IOException {
        Map<String, String> p = config();
        p.put("relay.fence.timeout", "300ms");
        Fences f = fences(p);
        f.decision(verified(A)).routing();
        f.observe(Trigger.promotion("mymaster", B));
        assertFenced(A, f.decision(verified(A)).routing());
        assertEquals(List.of(), f.expired(), "the fence stands");

        List<Trigger> due = await().atMost(Duration.ofSeconds(5)).until(f::expired, l -> !l.isEmpty());
        assertEquals(1, due.size(), "one reconcile when the fence runs out");
        Trigger reconcile = due.get(0);
        assertEquals("mymaster", reconcile.master());
        assertTrue(reconcile.readBack());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertRoute(A, f.decision(verified(A)).routing()));
    }

    @Test
    void fencesAreKeptPerMaster() throws IOException {
        Map<String, String> p = config();
        p.put("relay.masters", "mymaster,cache");
        p.put("relay.haproxy.cache.backend", "redis_cache");
        p.put("relay.haproxy.cache.server", "master");
        Fences f = fences(p);
        f.decision(verified(A));
        Verdict cache = new Verdict(Trigger.reconcile("cache"), B, List.of(), null);
        f.decision(cache);
        f.observe(Trigger.promotion("mymaster", B));
        assertRoute(B, f.decision(cache).routing());
        assertFenced(A, f.decision(verified(A)).routing());
    }
}
