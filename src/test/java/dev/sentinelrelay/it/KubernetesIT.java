package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes destination end to end: the relay (its jar, a process of its own) with real Redis and Sentinel
 * processes, pointed at fabric8's mock API server in CRUD mode in this JVM (no real API server can be installed
 * here). The master's EndpointSlice holds the master after start-up, after a graceful failover and after a SIGKILL
 * of the master; an edited slice is put back. Each test waits for the slice to hold the current master first, so
 * each passes alone.
 */
class KubernetesIT extends SandboxIT {

    private static final String TOKEN = "kube-it-token-5b1e";
    private static final String NAMESPACE = "redis";
    private static final String SLICE = "redis-mymaster";
    private static final Duration FOLLOW = Duration.ofSeconds(30);

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeAll
    void start() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0); // a free port
        client = server.createClient();
        sandbox = Sandbox.start();
    }

    @AfterAll
    void stopServer() {
        client.close();
        server.destroy();
    }

    /** A ready relay on the mock API server, whose slice holds the sentinels' master. */
    private int knownState() throws IOException {
        relayWith(Map.of("relay.kubernetes.enabled", "true",
                "relay.kubernetes.url", "http://127.0.0.1:" + server.getPort(),
                "relay.kubernetes.namespace", NAMESPACE,
                "relay.kubernetes.token", TOKEN,
                "relay.reconcile.interval", "2s"));
        int master = sandbox.sentinelMasterPort();
        await("the slice holds the master").atMost(FOLLOW).until(() -> slicePort() == master);
        return master;
    }

    /** The port of the slice's one ready endpoint at 127.0.0.1; -1 when it holds anything else. */
    private int slicePort() {
        EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(SLICE).get();
        if (slice == null || slice.getEndpoints() == null || slice.getEndpoints().size() != 1
                || !slice.getEndpoints().get(0).getAddresses().equals(List.of("127.0.0.1"))
                || Boolean.FALSE.equals(slice.getEndpoints().get(0).getConditions().getReady())) {
            return -1;
        }
        return slice.getPorts().get(0).getPort();
    }

    @Test
    void afterStartUpTheSliceHoldsTheMasterBehindASelectorLessService() throws IOException {
        knownState();
        var service = client.services().inNamespace(NAMESPACE).withName(SLICE).get();
        assertTrue(service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty());
        assertEquals(6379, service.getSpec().getPorts().get(0).getPort());
        assertEquals("sentinel-relay", client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(SLICE)
                .get().getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"));
        assertFalse(relay.log().contains(TOKEN), "the token is never logged");
        await("the API shows the slice in step").atMost(FOLLOW).until(() -> {
            for (JsonNode destination : relay.api("/api/topology").at("/masters/0/destinations")) {
                if ("kubernetes".equals(destination.get("name").asText())) {
                    return destination.get("inStep").asBoolean();
                }
            }
            return false;
        });
    }

    @Test
    void anEditedSliceIsPutBackByTheNextReconcile() throws IOException {
        int master = knownState();
        client.resource(new EndpointSliceBuilder(client.discovery().v1().endpointSlices().inNamespace(NAMESPACE)
                .withName(SLICE).get()).editFirstPort().withPort(1).endPort().build()).update();
        assertEquals(1, slicePort());
        await("a reconcile put the master back").atMost(FOLLOW).until(() -> slicePort() == master);
        assertTrue(relay.count("kubernetes drifted") >= 1, relay.tail());
    }

    @Test
    void aGracefulFailoverMovesTheSliceToTheNewMaster() throws IOException {
        knownState();
        int newMaster = sandbox.failover();
        await("the slice holds the new master").atMost(FOLLOW).until(() -> slicePort() == newMaster);
        assertTrue(relay.count("kubernetes updated: mymaster") >= 1, relay.tail());
        sandbox.awaitSentinelsSettled();
    }

    @Test
    void aKilledMasterIsReplacedInTheSliceByThePromotedOne() throws Exception {
        int oldMaster = knownState();
        sandbox.redisProcess(oldMaster).kill();
        int newMaster = sandbox.awaitNewMaster(oldMaster);
        await("the slice holds the promoted master").atMost(FOLLOW).until(() -> slicePort() == newMaster);
        sandbox.startRedis(oldMaster, newMaster); // back as a replica, so the next test starts from a settled sandbox
        sandbox.awaitSentinelsSettled();
    }
}
