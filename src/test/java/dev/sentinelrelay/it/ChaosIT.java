package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults during failovers, against real processes: sentinels lost, a lying sentinel, a stale event replayed
 * late, HAProxy restarted from its original config, the relay killed mid-failover, and failovers in quick
 * succession. Each asserts what a client sees through HAProxy, what the relay reports, and what it alerts.
 * Each test starts from a known state (SandboxIT's and {@link #knownState}): every server and sentinel up and
 * agreeing, HAProxy on the master, the relay it needs running; so each passes alone and in any order. The order
 * below only saves relay restarts (the two tests with a lying sentinel need a relay that lists it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT extends SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private WebhookReceiver alerts;
    /** A fourth sentinel that lies; listed only by the relay of the tests that use it. */
    private FakeSentinel liar;
    /** Every failover of this test class, as Sentinel announced it: {old port, new port}. */
    private final List<int[]> failovers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        alerts = WebhookReceiver.start(Sandbox.freePort());
        liar = new FakeSentinel();
        relayWith(alerting(Map.of()));
    }

    /**
     * On the known sandbox SandboxIT gives each test: a relay that lists the liar or not, ready, HAProxy on the
     * master; then the relay's log and the alerts received are marked, so the test counts only what it caused.
     */
    private void knownState(boolean withLiar) throws IOException {
        relayWith(alerting(withLiar ? Map.of("relay.sentinels", sentinelsAndLiar()) : Map.of()));
        if (withLiar) {
            await("relay subscribed to the liar").atMost(WAIT).until(liar::hasSubscriber);
        }
        await("relay ready").atMost(WAIT).until(() -> relay.readyStatus() == 200);
        sandbox.awaitClientsReach(sandbox.sentinelMasterPort());
        relay.markLog();
        alerts.mark();
    }

    private String sentinelsAndLiar() {
        return String.join(",", sandbox.sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList())
                + ",127.0.0.1:" + liar.port();
    }

    private Map<String, String> alerting(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("relay.alerts.channels", "ops");
        settings.put("relay.alerts.ops.type", "webhook");
        settings.put("relay.alerts.ops.url", alerts.url("/ops"));
        settings.put("relay.alerts.group-window", "200ms");
        return settings;
    }

    @AfterAll
    void stopFakes() throws IOException {
        if (alerts != null) {
            alerts.close();
        }
        if (liar != null) {
            liar.close();
        }
    }

    @Test
    @Order(1)
    void withOneOfThreeSentinelsDownFailoversAreStillFollowed() throws IOException {
        knownState(false);
        int down = sandbox.sentinelPorts.get(2);
        sandbox.stopSentinel(down);
        try {
            failover();
            assertEquals(200, relay.readyStatus(), "two of three sentinels are a majority: " + relay.tail());
        } finally {
            sandbox.startSentinel(down);
        }
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(2)
    void withTwoOfThreeDownTheRelayChangesNothingSaysNotReadyAndAlertsUntilTheyAreBack() throws IOException {
        knownState(false);
        int master = sandbox.sentinelMasterPort();
        List<Integer> down = sandbox.sentinelPorts.subList(1, 3);
        down.forEach(sandbox::stopSentinel);
        Map<Integer, Long> resubscribedBefore = new HashMap<>();
        try {
            await("not ready without a majority").atMost(WAIT).until(() -> relay.readyStatus() == 503);
            await("majority-lost alerted").atMost(WAIT).until(() -> kinds().contains("majority-lost"));
            await("the relay refuses to change anything").atMost(WAIT)
                    .until(() -> relay.count("no majority of 3 sentinels agrees") > 0);
            assertEquals(master, sandbox.portBehindFrontend(), "HAProxy still holds the master");
        } finally {
            // counted when they are started again: a resubscription an earlier test caused was logged long before
            down.forEach(p -> resubscribedBefore.put(p, resubscriptions(p)));
            down.forEach(sandbox::startSentinel);
        }
        await("resubscribed, reconciled and ready again, without a restart").atMost(WAIT)
                .until(() -> relay.readyStatus() == 200);
        // ready needs only a majority: the second sentinel may resubscribe a moment later
        await("each restarted sentinel resubscribed and reconciled").atMost(WAIT)
                .until(() -> down.stream().allMatch(p -> resubscriptions(p) > resubscribedBefore.get(p)));
        await("majority-regained alerted").atMost(WAIT).until(() -> kinds().contains("majority-regained"));
        sandbox.awaitSentinelsSettled();
        failover(); // and followed again
    }

    @Test
    @Order(3)
    void haproxyRestartedFromItsOriginalConfigIsBackOnTheVerifiedMasterWithinAReconcile() throws IOException {
        knownState(false);
        fixedByTheReconciler(sandbox::restartHaproxy);
    }

    @Test
    @Order(4)
    void theRelayKilledDuringAFailoverStartsInTheRightState() throws Exception {
        knownState(false);
        int before = sandbox.sentinelMasterPort();
        sandbox.requestFailover(Sandbox.MASTER);
        relay.process.signal("KILL");
        relay.process.awaitExit(30);
        int next = sandbox.awaitNewMaster(before);
        failovers.add(new int[]{before, next});

        relay = Relay.launch(relay.config(), relay.apiPort, sandbox.dir.resolve("relay-after-kill.log"));
        relay.awaitReady();
        // ready means reconciled: HAProxy holds the new master at that moment already
        assertEquals(next, sandbox.portBehindFrontend());
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(5)
    void failoversInQuickSuccessionEndOnTheTrueMasterAndNeverReachAReplica() throws Exception {
        knownState(false);
        AtomicLong masters = new AtomicLong();
        AtomicLong replicas = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<String> replicaAnswers = new ArrayList<>();
        Thread probe = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (Jedis j = sandbox.clientThroughFrontend()) {
                    String role = String.valueOf(j.role().get(0));
                    if (role.equals("master")) {
                        masters.incrementAndGet();
                    } else {
                        replicas.incrementAndGet();
                        synchronized (replicaAnswers) {
                            replicaAnswers.add(Sandbox.tcpPort(j) + " answered " + role + " at " + System.nanoTime());
                        }
                    }
                } catch (RuntimeException e) {
                    refused.incrementAndGet(); // fenced, or a session cut: the client retries
                }
            }
        }, "role-probe");
        probe.setDaemon(true);
        probe.start();
        try {
            for (int i = 0; i < 4; i++) {
                int before = sandbox.sentinelMasterPort();
                sandbox.requestFailover(Sandbox.MASTER); // as soon as the previous one ended
                failovers.add(new int[]{before, sandbox.awaitNewMaster(before)});
            }
            sandbox.awaitClientsReach(sandbox.sentinelMasterPort());
        } finally {
            probe.interrupt();
            probe.join(10_000);
        }
        assertEquals(0, replicas.get(), "connections through HAProxy reached a replica: " + replicaAnswers);
        assertTrue(masters.get() > 100, "the probe ran: " + masters.get() + " master answers, " + refused.get() + " refused");
        assertEquals(sandbox.sentinelMasterPort(), sandbox.portBehindFrontend());
        sandbox.awaitSentinelsSettled();
    }

    @Test
    @Order(6)
    void aLyingSentinelIsOutvotedItsFakeFailoverRefusedAndAlerted() throws Exception {
        knownState(true);
        int[] stale = staleFailover();
        int master = sandbox.sentinelMasterPort();
        int innocent = sandbox.redisPorts.stream().filter(p -> p != master && p != stale[1]).findFirst().orElseThrow();
        liar.claimMaster("127.0.0.1", innocent);
        long updates = relay.count("haproxy updated");

        liar.publish("+switch-master", "mymaster 127.0.0.1 " + master + " 127.0.0.1 " + innocent);
        await("the fake failover is refused and alerted").atMost(WAIT).until(() -> refusalsNaming(innocent) == 1);
        assertEquals(master, sandbox.portBehindFrontend(), "HAProxy still routes to the master the majority names");
        assertEquals(master, sandbox.haproxyServerPort());
        assertEquals(updates, relay.count("haproxy updated"), relay.tail());
    }

    @Test
    @Order(7)
    void aStaleSwitchMasterPublishedLateMovesNothing() throws Exception {
        knownState(true);
        int[] stale = staleFailover();
        int master = sandbox.sentinelMasterPort();
        long updates = relay.count("haproxy updated");
        // the announcement of an earlier failover, replayed as a sentinel that was down then would publish it
        liar.publish("+switch-master", "mymaster 127.0.0.1 " + stale[0] + " 127.0.0.1 " + stale[1]);
        await("the stale event is refused and alerted").atMost(WAIT).until(() -> refusalsNaming(stale[1]) >= 1);
        assertEquals(master, sandbox.portBehindFrontend());
        assertEquals(master, sandbox.haproxyServerPort());
        assertEquals(updates, relay.count("haproxy updated"), relay.tail());
    }

    @Test
    @Order(8)
    void haproxyReloadedFromItsOriginalConfigIsBackOnTheVerifiedMasterAndItsOldProcessExits() throws IOException {
        knownState(false);
        List<ManagedProcess> old = new ArrayList<>();
        // the relay's open runtime API session still reaches the old process, which says it is stopping: the relay
        // reconnects to the new one, whose read-back by the reconciler shows the replica
        fixedByTheReconciler(replica -> old.add(sandbox.reloadHaproxy(1, replica)));
        // no session of the relay keeps the old process alive (the keep-alive closes one that reached it)
        await("the old HAProxy process exits").atMost(WAIT).until(() -> !old.get(0).alive());
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /**
     * HAProxy started again by {@code restart} from a config that names a replica, every runtime change lost: the next
     * reconcile finds the drift and puts it back on the master.
     */
    private void fixedByTheReconciler(IntConsumer restart) {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        long drifts = relay.count("drifted");
        restart.accept(replica);
        sandbox.awaitClientsReach(master); // the reconcile interval is 2 s
        assertTrue(relay.count("drifted") > drifts, "fixed by the reconciler: " + relay.tail());
    }

    /** A failover followed to the end: clients reach the new master and the relay has logged its update. */
    private void failover() {
        int before = sandbox.sentinelMasterPort();
        int next = sandbox.failover();
        failovers.add(new int[]{before, next});
        sandbox.awaitClientsReach(next);
        // HAProxy serves the new master a moment before the relay logs the update: a test counting updates waits for it
        await("the relay logged the update").atMost(WAIT)
                .until(() -> relay.linesSinceMark().stream().anyMatch(l -> l.contains("haproxy updated: " + Sandbox.MASTER)
                        && l.contains("-> 127.0.0.1:" + next + " on ")));
    }

    /** How often the relay has logged resubscribing to the sentinel on {@code port} since the test began. */
    private long resubscriptions(int port) {
        return relay.count("(127.0.0.1:" + port + ") resubscribed; reconciling");
    }

    /**
     * An earlier failover of this class whose new master is not the master now: its announcement is stale. Fails
     * over first when there is none yet (a test run alone: twice at most).
     */
    private int[] staleFailover() {
        for (int failedOver = 0; ; failedOver++) {
            int master = sandbox.sentinelMasterPort();
            Optional<int[]> stale = failovers.stream().filter(f -> f[1] != master).findFirst();
            if (stale.isPresent()) {
                return stale.get();
            }
            if (failedOver == 2) {
                throw new AssertionError("no stale failover after two failovers");
            }
            failover();
            sandbox.awaitSentinelsSettled();
        }
    }

    /** The alerts received since the current test began. */
    private List<JsonNode> alertsReceived() {
        List<JsonNode> out = new ArrayList<>();
        for (String body : alerts.accepted("/ops")) {
            try {
                JSON.readTree(body).path("alerts").forEach(out::add);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
        return out;
    }

    private List<String> kinds() {
        return alertsReceived().stream().map(a -> a.path("kind").asText()).toList();
    }

    private long refusalsNaming(int port) {
        return alertsReceived().stream().filter(a -> a.path("kind").asText().equals("change-refused")
                && a.path("summary").asText().contains("not routing to 127.0.0.1:" + port)).count();
    }
}
