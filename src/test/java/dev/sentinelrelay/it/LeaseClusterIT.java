package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.support.MockApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode on a Kubernetes Lease with real processes: the sandbox (redis, sentinels, HAProxy in addr mode), three
 * relays of one cluster electing on one Lease (duration 2 s) held by fabric8's mock API server in CRUD mode in this
 * JVM (no real API server can be installed here; the mock keeps resource versions and refuses stale updates, and
 * records every request), which also holds the master's EndpointSlice. Each test starts from the API server up, all
 * relays running, one leading and HAProxy on the master ({@link #knownCluster()}), so each passes alone. The periodic
 * reconcile is an hour apart: what reaches HAProxy was written because of an event or a takeover.
 */
class LeaseClusterIT extends SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final String NAMESPACE = "redis";
    private static final Duration GENEROUS = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofSeconds(5);
    /** A failover's report is due 30 s after a relay verified it at the latest; then grouped and delivered. */
    private static final Duration REPORTED = Duration.ofSeconds(50);
    private static final List<String> HAPROXY_WRITES = List.of("haproxy updated", "accepts runtime API writes");

    private MockApiServer api;
    private KubernetesClient client;
    private WebhookReceiver hooks;
    private final List<Relay> relays = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
        api = new MockApiServer();
        client = api.client();
        hooks = WebhookReceiver.start(Sandbox.freePort());
        try {
            for (int i = 1; i <= 3; i++) {
                Map<String, String> keys = new LinkedHashMap<>();
                keys.put("relay.cluster.kubernetes.enabled", "true");
                keys.put("relay.cluster.kubernetes.namespace", NAMESPACE);
                keys.put("relay.cluster.kubernetes.lease-duration", LEASE.toSeconds() + "s");
                keys.put("relay.cluster.instance", "relay-" + i);
                keys.put("relay.kubernetes.enabled", "true");
                keys.put("relay.kubernetes.url", api.url());
                keys.put("relay.kubernetes.namespace", NAMESPACE);
                keys.put("relay.kubernetes.token", "lease-it-token");
                keys.put("relay.reconcile.interval", "1h");
                keys.put("relay.alerts.channels", "ops");
                keys.put("relay.alerts.ops.type", "webhook");
                keys.put("relay.alerts.ops.url", hooks.url("/ops/hook"));
                keys.put("relay.alerts.ops.retry-delay", "100ms");
                keys.put("relay.alerts.group-window", "500ms");
                // failovers between the same two nodes recur across tests: each must be alerted again
                keys.put("relay.alerts.repeat-after", "5s");
                relays.add(Relay.launch(sandbox, keys));
            }
        } catch (IOException | RuntimeException e) {
            relays.forEach(Relay::close);
            throw e;
        }
    }

    @AfterAll
    void stopAll() {
        relays.forEach(Relay::close);
        if (api != null) {
            api.close();
        }
        if (hooks != null) {
            hooks.close();
        }
    }

    /** The API server up, three relays running, exactly one leading and named by all, HAProxy on the master. */
    @BeforeEach
    void knownCluster() throws Exception {
        if (!api.running()) {
            api.start();
        }
        for (int i = 0; i < relays.size(); i++) {
            Relay r = relays.get(i);
            if (!r.process.alive()) {
                relays.set(i, Relay.launch(r.config(), r.apiPort,
                        sandbox.dir.resolve("relay-" + r.apiPort + "-" + System.nanoTime() + ".log")));
            }
        }
        relays.forEach(Relay::awaitReady);
        await("one relay leads and every relay names it").atMost(GENEROUS).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    List<Relay> leaders = leaders();
                    if (leaders.size() != 1) {
                        return false;
                    }
                    String leader = leaders.get(0).instance();
                    return relays.stream().map(LeaseClusterIT::cluster)
                            .allMatch(v -> v != null && leader.equals(v.path("leader").path("instance").asText()));
                });
        int master = sandbox.sentinelMasterPort();
        if (sandbox.haproxyServerPort() != master) {
            sandbox.haproxyCommand("set server redis_" + Sandbox.MASTER + "/master addr 127.0.0.1 port " + master);
        }
        sandbox.awaitClientsReach(master);
        relays.forEach(Relay::markLog);
        hooks.mark();
        api.takeRequests();
    }

    @AfterEach
    void thawAll() throws Exception {
        for (Relay r : relays) {
            if (r.process.alive()) {
                r.thaw();
            }
        }
    }

    @Test
    void theLeaderKilledDuringAFailoverIsReplacedOnTheLeaseAndTheNewLeaderAppliesIt() throws Exception {
        Relay leader = leaders().get(0);
        int oldMaster = sandbox.sentinelMasterPort();
        AtomicInteger mostLeaders = new AtomicInteger();

        sandbox.requestFailover(Sandbox.MASTER);
        leader.kill();
        long killedAt = System.nanoTime();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        long namedAt = System.nanoTime();
        await("HAProxy on the new master").atMost(GENEROUS).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    mostLeaders.accumulateAndGet(leaders().size(), Math::max);
                    return sandbox.haproxyServerPort() == newMaster;
                });
        Duration applied = Duration.ofNanos(System.nanoTime() - killedAt);
        sandbox.awaitClientsReach(newMaster);
        assertEquals("master", sandbox.role(sandbox.portBehindFrontend()));
        // a standby takes the Lease a lease duration after it last saw it renewed, plus up to one heartbeat
        assertTrue(applied.compareTo(LEASE.plusSeconds(3)) <= 0, "HAProxy held the new master "
                + applied.toMillis() + " ms after the leader's SIGKILL");
        assertTrue(mostLeaders.get() <= 1, "two relays led at once");

        Relay next = leaders().get(0);
        assertEquals(1, next.count("leads now (before: " + leader.instance() + ")"), next.tail());
        assertTrue(next.count("haproxy updated") >= 1, next.tail());
        Lease lease = lease();
        assertEquals(next.instance(), lease.getSpec().getHolderIdentity());
        await("exactly one leader, the new one").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> leaders().equals(List.of(next)));

        // the failover alerted, and no alert delivered twice: what a leader delivered is recorded in the ConfigMap
        // beside the Lease, so the new leader drops it from its outbox. A relay that never saw its destinations
        // settle reports a failover 30 s after it verified it (FailoverReports.DEADLINE): watched until then. (Only
        // the new master is matched: a relay's report can name an older old master when failovers come back to a
        // node within 30 s, as these tests make them; see the report of this change.)
        await("a failover alert").atMost(REPORTED).until(() -> failoverAlertsTo(newMaster) >= 1);
        Duration overdue = Duration.ofSeconds(34).minusNanos(System.nanoTime() - namedAt);
        await("no alert delivered twice").during(overdue.compareTo(QUIET) > 0 ? overdue : QUIET)
                .atMost(Duration.ofSeconds(60))
                .failFast(() -> assertEquals(List.of(), deliveredTwice(), hooks.requests().toString()))
                .until(() -> deliveredTwice().isEmpty());
    }

    @Test
    void aLeaderFrozenPastTheLeaseSendsNoWriteAndNoLeaseUpdateWhenResumed() throws Exception {
        Relay frozen = leaders().get(0);
        frozen.freeze();
        await("another relay leads").atMost(GENEROUS).pollInterval(Duration.ofMillis(50))
                .until(() -> leaders().stream().anyMatch(r -> r != frozen));
        Relay next = leaders().stream().filter(r -> r != frozen).findFirst().orElseThrow();

        int newMaster = sandbox.failover();
        await("the new leader applied the new master").atMost(GENEROUS)
                .until(() -> sandbox.haproxyServerPort() == newMaster);
        sandbox.awaitSentinelsSettled();

        // only a write can move HAProxy off the marker: the relays believe it holds the new master
        int marker = Sandbox.freePort();
        sandbox.haproxyCommand("set server redis_" + Sandbox.MASTER + "/master addr 127.0.0.1 port " + marker);
        assertEquals(marker, sandbox.haproxyServerPort());
        relays.forEach(Relay::markLog);
        api.takeRequests();

        frozen.thaw();
        await("HAProxy keeps the marker, the resumed relay writes nothing").during(QUIET).atMost(QUIET.plusSeconds(5))
                .failFast(() -> {
                    assertEquals(0, writes(frozen), frozen.tail());
                    assertEquals(marker, sandbox.haproxyServerPort(), "HAProxy moved off the marker");
                })
                .until(() -> sandbox.haproxyServerPort() == marker && writes(frozen) == 0);
        await("the resumed relay is a standby").atMost(Duration.ofSeconds(10)).until(() -> "standby".equals(role(frozen)));
        String agent = "sentinel-relay/" + frozen.instance();
        List<RecordedRequest> fromFrozen = api.takeRequests().stream()
                .filter(r -> agent.equals(r.getHeader("User-Agent"))).toList();
        assertTrue(fromFrozen.stream().anyMatch(r -> r.getPath().contains("/leases/")),
                "the resumed relay read the Lease: " + fromFrozen);
        assertEquals(List.of(), fromFrozen.stream().filter(r -> !"GET".equals(r.getMethod()))
                .map(RecordedRequest::getRequestLine).toList(), "requests other than reads from the resumed relay");
        assertEquals(next.instance(), lease().getSpec().getHolderIdentity());
        assertEquals(List.of(next), leaders());
    }

    @Test
    void theApiServerStoppedStopsAllWritesIsAlertedAndAllRecoversWhenItIsBack() throws Exception {
        List<Long> pids = relays.stream().map(r -> r.process.pid()).toList();
        int oldMaster = sandbox.sentinelMasterPort();
        api.stop();
        long stoppedAt = System.nanoTime();
        await("no relay leads").atMost(GENEROUS).pollInterval(Duration.ofMillis(50))
                .until(() -> leaders().isEmpty() && relays.stream().allMatch(r -> leaderStatus(r) == 503));
        Duration stopped = Duration.ofNanos(System.nanoTime() - stoppedAt);
        assertTrue(stopped.compareTo(LEASE.plusSeconds(1)) <= 0,
                "a relay still led " + stopped.toMillis() + " ms after the API server stopped");

        int newMaster = sandbox.failover();
        await("nobody applies the failover").during(QUIET).atMost(QUIET.plusSeconds(5))
                .failFast(() -> assertEquals(oldMaster, sandbox.haproxyServerPort(), "HAProxy moved without a leader"))
                .until(() -> sandbox.haproxyServerPort() == oldMaster && leaders().isEmpty());
        assertEquals(0, relays.stream().mapToLong(LeaseClusterIT::writes).sum(), "writes without the API server");
        await("every relay reports itself cut off").atMost(GENEROUS)
                .until(() -> relays.stream().allMatch(r -> r.count("cut off from the Kubernetes API server") >= 1));
        await("a coordination-lost alert").atMost(GENEROUS).until(() -> kinds().contains("coordination-lost"));

        api.start();
        await("one relay leads again").atMost(GENEROUS).until(() -> leaders().size() == 1);
        await("the leader applied the new master").atMost(GENEROUS)
                .until(() -> sandbox.haproxyServerPort() == newMaster);
        sandbox.awaitClientsReach(newMaster);
        await("a coordination-restored alert").atMost(GENEROUS).until(() -> kinds().contains("coordination-restored"));
        assertEquals(pids, relays.stream().map(r -> r.process.pid()).toList(), "no relay restarted");
    }

    @Test
    void theStatusPageShowsTheLeaseAndWhoLeads() throws Exception {
        Relay leader = leaders().get(0);
        Relay standby = relays.stream().filter(r -> r != leader).findFirst().orElseThrow();
        String dom = new Chromium(sandbox.dir).dumpDom("http://127.0.0.1:" + standby.apiPort + "/");
        assertTrue(dom.contains("Lease <code>" + NAMESPACE + "/sentinel-relay</code>"), dom);
        assertTrue(dom.contains("<code id=\"cluster-leader\">" + leader.instance() + "</code>"), dom);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Lease lease() throws IOException {
        return client.leases().inNamespace(NAMESPACE).withName("sentinel-relay").get();
    }

    private List<Relay> leaders() {
        return relays.stream().filter(r -> "leader".equals(role(r))).toList();
    }

    private static String role(Relay relay) {
        JsonNode view = cluster(relay);
        return view == null ? "down" : view.path("role").asText();
    }

    private static JsonNode cluster(Relay relay) {
        try {
            HttpResponse<String> response = get(relay, "/api/cluster");
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int leaderStatus(Relay relay) {
        try {
            return get(relay, "/health/leader").statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(Relay relay, String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.apiPort + path))
                .timeout(Duration.ofSeconds(1)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static long writes(Relay relay) {
        return HAPROXY_WRITES.stream().mapToLong(relay::count).sum();
    }

    /** The kinds of the alerts the channel accepted since the test began. */
    private List<String> kinds() {
        return alerts().stream().map(a -> a.path("kind").asText()).toList();
    }

    private long failoverAlertsTo(int newMaster) {
        return alerts().stream().filter(a -> a.path("kind").asText().equals("failover")
                && a.path("details").path("new master").asText().equals("127.0.0.1:" + newMaster)).count();
    }

    /** Alert ids the channel accepted more than once since the test began. */
    private List<String> deliveredTwice() {
        Map<String, Long> ids = alerts().stream().collect(java.util.stream.Collectors.groupingBy(
                a -> a.path("id").asText(), java.util.stream.Collectors.counting()));
        return ids.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    private List<JsonNode> alerts() {
        List<JsonNode> out = new ArrayList<>();
        for (String document : hooks.accepted("/ops/hook")) {
            try {
                JSON.readTree(document).path("alerts").forEach(out::add);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + document, e);
            }
        }
        return out;
    }
}
