package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.alerts.Alert;
import dev.sentinelrelay.alerts.AlertKind;
import dev.sentinelrelay.alerts.DestinationOutcome;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.KubernetesConfig;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.destinations.PipelineUnderTest;
import dev.sentinelrelay.destinations.RecordedLedger;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.sentinel.SentinelEvent;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.apache.camel.Processor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.sentinelrelay.destinations.PipelineUnderTest.NEW;
import static dev.sentinelrelay.destinations.PipelineUnderTest.OLD;
import static dev.sentinelrelay.destinations.PipelineUnderTest.switchTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes destination on the real pipeline (routes/35-destination.yaml and routes/47-kubernetes.yaml) against
 * fabric8's mock API server in CRUD mode (it keeps objects and resource versions; an expectation set on a path
 * answers before the stored objects do).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPipelineTest {

    private static final Duration ROUTES = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final HostPort OTHER = new HostPort("10.0.1.5", 6390);

    KubernetesMockServer server;
    KubernetesClient client;

    private final PipelineUnderTest pipeline = new PipelineUnderTest();
    private final RecordedLedger ledger = pipeline.ledger;
    private final NewestWins latest = new NewestWins();
    /** The requests taken from the server so far. */
    private final List<RecordedRequest> recorded = new ArrayList<>();

    @BeforeEach
    void startRoutes() throws Exception {
        KubernetesConfig config = new KubernetesConfig(null, null, null, null, 6379,
                Map.of("mymaster", "redis-mymaster", "othermaster", "redis-othermaster"));
        KubernetesSync sync = new KubernetesSync(config, client.getNamespace());
        pipeline.camel.getRegistry().bind("kubernetesSync", sync);
        pipeline.camel.getRegistry().bind("kubernetesLatest", latest);
        pipeline.camel.getRegistry().bind("kubernetesApi", new KubernetesApi(client));
        pipeline.camel.getRegistry().bind("kubernetesRetryLog", (Processor) exchange -> { });
        pipeline.start(KubernetesSync.PIPELINE, List.of(KubernetesSync.QUEUE), 2, "file:routes/47-kubernetes.yaml");
    }

    @AfterEach
    void stopRoutes() {
        pipeline.close();
    }

    private void send(Routing routing) {
        pipeline.send(KubernetesSync.PIPELINE, routing);
    }

    private EndpointSlice slice(String name) {
        return client.discovery().v1().endpointSlices().withName(name).get();
    }

    /** The slice's ready endpoints as ip:port. */
    private List<String> ready(String name) {
        EndpointSlice slice = slice(name);
        List<String> out = new ArrayList<>();
        if (slice != null && slice.getEndpoints() != null) {
            int port = slice.getPorts().get(0).getPort();
            slice.getEndpoints().stream().filter(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
                    .forEach(e -> e.getAddresses().forEach(a -> out.add(a + ":" + port)));
        }
        return out;
    }

    private void awaitApplied(int count) {
        await().atMost(ROUTES).until(() -> ledger.applied.size() == count && latest.idle());
    }

    @Test
    void aVerifiedMasterGetsASelectorLessServiceAndASliceHoldingExactlyIt() {
        send(switchTo(NEW));
        awaitApplied(1);
        assertEquals(List.of(NEW.toString()), ready("redis-mymaster"));
        var service = client.services().withName("redis-mymaster").get();
        assertTrue(service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty());
        assertEquals("sentinel-relay", service.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        EndpointSlice slice = slice("redis-mymaster");
        assertEquals("redis-mymaster", slice.getMetadata().getLabels().get("kubernetes.io/service-name"));
        assertEquals("sentinel-relay", slice.getMetadata().getLabels().get("endpointslice.kubernetes.io/managed-by"));
    }

    @Test
    void aChangeMovesTheSliceAndAFenceEmptiesIt() {
        send(switchTo(NEW));
        awaitApplied(1);
        send(Routing.route(Trigger.of(new SentinelEvent("+switch-master", "mymaster", NEW, OLD, "s1")), OLD));
        awaitApplied(2);
        assertEquals(List.of(OLD.toString()), ready("redis-mymaster"));

        send(Routing.fence(Trigger.of(new SentinelEvent("+odown", "mymaster", OLD, null, "s1")), OLD, "odown"));
        awaitApplied(3);
        assertEquals(List.of(), ready("redis-mymaster"), "no ready endpoint while fenced");
        assertTrue(client.services().withName("redis-mymaster").get() != null, "the Service stays");
    }

    @Test
    void anEditedSliceIsPutBackByTheNextReconcile() {
        send(switchTo(NEW));
        awaitApplied(1);
        send(Routing.route(Trigger.reconcile("mymaster"), NEW));
        await().atMost(ROUTES).until(() -> ledger.inStep.size() == 1 && latest.idle());

        client.resource(new EndpointSliceBuilder(slice("redis-mymaster")).editFirstEndpoint()
                .withAddresses("10.9.9.9").endEndpoint().build()).update(); // someone edited it
        send(Routing.route(Trigger.reconcile("mymaster"), NEW));
        awaitApplied(2);
        assertEquals(List.of(NEW.toString()), ready("redis-mymaster"));
    }

    @Test
    void aServiceThatIsNotTheRelaysIsLeftAloneAndReportedWhileOtherMastersFollow() {
        client.resource(new ServiceBuilder().withNewMetadata().withName("redis-mymaster").endMetadata()
                .withNewSpec().addToSelector("app", "redis").addNewPort().withPort(6379).endPort().endSpec().build()).create();
        send(Routing.route(Trigger.reconcile("mymaster"), NEW));
        send(Routing.route(Trigger.reconcile("othermaster"), OTHER));
        await().atMost(ROUTES).until(() -> ledger.failed.size() == 1 && ledger.applied.size() == 1 && latest.idle());

        assertTrue(ledger.failed.get(0).contains("Service test/redis-mymaster exists and is not managed by sentinel-relay"),
                ledger.failed.toString());
        assertEquals(Map.of("app", "redis"), client.services().withName("redis-mymaster").get().getSpec().getSelector());
        assertNull(slice("redis-mymaster"), "no slice for a Service that is not the relay's");
        assertEquals(List.of(OTHER.toString()), ready("redis-othermaster"));
    }

    @Test
    void aSliceThatIsNotTheRelaysIsLeftAlone() {
        client.resource(new EndpointSliceBuilder().withNewMetadata().withName("redis-mymaster")
                .addToLabels("kubernetes.io/service-name", "redis-mymaster").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.7.7.7").endEndpoint().build()).create();
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.failed.size() == 1 && latest.idle());
        assertTrue(ledger.failed.get(0).contains("EndpointSlice test/redis-mymaster exists and is not managed"), ledger.failed.toString());
        assertEquals(List.of("10.7.7.7"), slice("redis-mymaster").getEndpoints().get(0).getAddresses());
    }

    @Test
    void aForbiddenReadIsOneClearFailureNotRetriedAndOtherMastersFollow() throws Exception {
        String path = "/api/v1/namespaces/test/services/redis-mymaster";
        server.expect().get().withPath(path).andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("services \"redis-mymaster\" is forbidden").build()).always();
        send(Routing.route(Trigger.reconcile("mymaster"), NEW));
        send(Routing.route(Trigger.reconcile("othermaster"), OTHER));
        await().atMost(ROUTES).until(() -> ledger.failed.size() == 1 && ledger.applied.size() == 1 && latest.idle());

        assertEquals("kubernetes " + NEW + ": forbidden (HTTP 403): the relay may not get services in namespace test;"
                + " grant the verb in the relay's Role (docs/kubernetes.md)", ledger.failed.get(0));
        assertEquals(List.of(OTHER.toString()), ready("redis-othermaster"));
        assertEquals(1, requests("GET", path), "a 403 is not retried");
        // dead-lettered and alerted like any destination's failure; the failover's report hears of both masters
        assertEquals(1, pipeline.deadLetters.size(), "one dead letter");
        List<Alert> alerts = pipeline.queued("alerts", Alert.class);
        assertEquals(List.of(AlertKind.DELIVERY_FAILED), alerts.stream().map(Alert::kind).toList());
        assertTrue(alerts.get(0).summary().startsWith("kubernetes (test/redis-mymaster)"), alerts.get(0).summary());
        assertEquals(2, pipeline.queued("failover-report", DestinationOutcome.class).size());
    }

    @Test
    void aForbiddenCreateNamesTheVerbAndTheResource() {
        server.expect().post().withPath("/apis/discovery.k8s.io/v1/namespaces/test/endpointslices")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").build()).always();
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.failed.size() == 1 && latest.idle());
        assertTrue(ledger.failed.get(0).endsWith("forbidden (HTTP 403): the relay may not create"
                + " endpointslices.discovery.k8s.io in namespace test; grant the verb in the relay's Role (docs/kubernetes.md)"),
                ledger.failed.toString());
        assertTrue(client.services().withName("redis-mymaster").get() != null, "the Service, which it may create, is there");
    }

    @Test
    void aRelayThatDoesNotWriteReadsBackAndCountsWhatItWouldChange() throws Exception {
        pipeline.leadership.mayWrite = false;
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.wouldChange.size() == 1 && latest.idle());
        await().during(QUIET).atMost(ROUTES).until(() -> ledger.applied.isEmpty());
        assertEquals(List.of("kubernetes " + NEW), ledger.wouldChange);
        assertNull(client.services().withName("redis-mymaster").get());
        assertNull(slice("redis-mymaster"));
        assertEquals(0, requests("POST", "") + requests("PUT", "") + requests("PATCH", "") + requests("DELETE", ""),
                "nothing written");
    }

    /** How many requests of this method on a path starting with {@code path} the server has had so far. */
    private int requests(String method, String path) throws InterruptedException {
        RecordedRequest request;
        while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            recorded.add(request);
        }
        return (int) recorded.stream().filter(r -> r.getMethod().equals(method) && r.getPath().startsWith(path)).count();
    }
}
