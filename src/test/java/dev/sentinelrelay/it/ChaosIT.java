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
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults during failovers, against real processes: sentinels lost, a lying sentinel, a stale event replayed
 * late, HAProxy restarted from its original config, the relay killed mid-failover, and failovers in quick
 * succession. Each asserts what a client sees through HAProxy, what the relay reports, and what it alerts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT extends SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private WebhookReceiver alerts;
    private FakeSentinel liar;
    /** Every failover of this test class, as Sentinel announced it: {old port, new port}. */
    private final List<int[]> failovers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        alerts = WebhookReceiver.start(Sandbox.freePort());
        relay = Relay.start(sandbox, alerting(Map.of()));
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
    void withOneOfThreeSentinelsDownFailoversAreStillFollowed() {
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
    void withTwoOfThreeDownTheRelayChangesNothingSaysNotReadyAndAlertsUntilTheyAreBack() {
        int master = sandbox.sentinelMasterPort();
        List<Integer> down = sandbox.sentinelPorts.subList(1, 3);
        down.forEach(sandbox::stopSentinel);
        try {
            await("not ready without a majority").atMost(WAIT).until(() -> relay.readyStatus() == 503);
            await("majority-lost alerted").atMost(WAIT).until(() -> kinds().contains("majority-lost"));
            await("the relay refuses to change anything").atMost(WAIT)
                    .until(() -> relay.count("no majority of 3 sentinels agrees") > 0);
            assertEquals(master, sandbox.portBehindFrontend(), "HAProxy still holds the master");
        } finally {
            down.forEach(sandbox::startSentinel);
        }
        await("resubscribed, reconciled and ready again, without a restart").atMost(WAIT)
                .until(() -> relay.readyStatus() == 200);
        assertTrue(relay.count("resubscribed; reconciling") >= 2, relay.tail());
        await("majority-regained alerted").atMost(WAIT).until(() -> kinds().contains("majority-regained"));
        sandbox.awaitSentinelsSettled();
        failover(); // and followed again
    }

    @Test
    @Order(3)
    void haproxyRestartedFromItsOriginalConfigIsBackOnTheVerifiedMasterWithinAReconcile() {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        long drifts = relay.count("drifted");
        sandbox.restartHaproxy(replica); // its config names a replica: every runtime change is lost
        sandbox.awaitClientsReach(master); // the reconcile interval is 2 s
        assertTrue(relay.count("drifted") > drifts, "fixed by the reconciler: " + relay.tail());
    }

    @Test
    @Order(4)
    void theRelayKilledDuringAFailoverStartsInTheRightState() throws Exception {
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
        int master = sandbox.sentinelMasterPort();
        int[] stale = staleFailover(master);
        int innocent = sandbox.redisPorts.stream().filter(p -> p != master && p != stale[1]).findFirst().orElseThrow();
        relay.close();
        liar = new FakeSentinel();
        liar.claimMaster("127.0.0.1", innocent);
        String sentinels = String.join(",", sandbox.sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList())
                + ",127.0.0.1:" + liar.port();
        relay = Relay.start(sandbox, alerting(Map.of("relay.sentinels", sentinels)));
        await("relay subscribed to the liar").atMost(WAIT).until(liar::hasSubscriber);
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
        int master = sandbox.sentinelMasterPort();
        int[] stale = staleFailover(master);
        long updates = relay.count("haproxy updated");
        // the announcement of an earlier failover, replayed as a sentinel that was down then would publish it
        liar.publish("+switch-master", "mymaster 127.0.0.1 " + stale[0] + " 127.0.0.1 " + stale[1]);
        await("the stale event is refused and alerted").atMost(WAIT).until(() -> refusalsNaming(stale[1]) >= 1);
        assertEquals(master, sandbox.portBehindFrontend());
        assertEquals(master, sandbox.haproxyServerPort());
        assertEquals(updates, relay.count("haproxy updated"), relay.tail());
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private void failover() {
        int before = sandbox.sentinelMasterPort();
        int next = sandbox.failover();
        failovers.add(new int[]{before, next});
        sandbox.awaitClientsReach(next);
    }

    /** An earlier failover of this class whose new master is not the master now: its announcement is stale. */
    private int[] staleFailover(int master) {
        return failovers.stream().filter(f -> f[1] != master).findFirst()
                .orElseThrow(() -> new AssertionError("no earlier failover to replay"));
    }

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
