package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.Trigger;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceObjectsTest {

    static final KubernetesTarget TARGET = new KubernetesTarget("redis", "redis-mymaster", 6379);
    static final HostPort MASTER = new HostPort("10.0.0.2", 6380);
    static final Routing ROUTED = Routing.route(Trigger.reconcile("mymaster"), MASTER);
    static final Routing FENCED = Routing.fence(Trigger.reconcile("mymaster"), MASTER, "odown");

    @Test
    void theServiceIsSelectorLessAndLabelledAsTheRelays() {
        Service service = ServiceObjects.service(TARGET, "mymaster");
        assertEquals("redis-mymaster", service.getMetadata().getName());
        assertEquals("redis", service.getMetadata().getNamespace());
        assertTrue(service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty(), "no selector");
        assertEquals(Map.of("app.kubernetes.io/managed-by", "sentinel-relay"), service.getMetadata().getLabels());
        assertEquals(6379, service.getSpec().getPorts().get(0).getPort());
        assertTrue(ServiceObjects.serviceInStep(service, TARGET));
        assertFalse(ServiceObjects.serviceInStep(service, new KubernetesTarget("redis", "redis-mymaster", 6380)));
    }

    @Test
    void theSliceHoldsExactlyTheMasterReady() {
        EndpointSlice slice = ServiceObjects.slice(TARGET, ROUTED);
        assertEquals(Map.of("kubernetes.io/service-name", "redis-mymaster",
                "endpointslice.kubernetes.io/managed-by", "sentinel-relay",
                "app.kubernetes.io/managed-by", "sentinel-relay"), slice.getMetadata().getLabels());
        assertEquals("IPv4", slice.getAddressType());
        assertEquals(List.of("10.0.0.2"), slice.getEndpoints().get(0).getAddresses());
        assertEquals(6380, slice.getPorts().get(0).getPort());
        assertTrue(slice.getEndpoints().get(0).getConditions().getReady());
        assertTrue(ServiceObjects.sliceInStep(slice, TARGET, ROUTED));
        assertFalse(ServiceObjects.sliceInStep(slice, TARGET, FENCED), "a ready endpoint while fenced");
        assertEquals("ready 10.0.0.2:6380", ServiceObjects.describe(slice));
    }

    @Test
    void whileFencedTheSliceHasNoReadyEndpoint() {
        EndpointSlice slice = ServiceObjects.slice(TARGET, FENCED);
        assertEquals(List.of(), slice.getEndpoints());
        assertTrue(ServiceObjects.sliceInStep(slice, TARGET, FENCED));
        assertFalse(ServiceObjects.sliceInStep(slice, TARGET, ROUTED));
        assertEquals("no ready endpoint", ServiceObjects.describe(slice));
        EndpointSlice notReady = new EndpointSliceBuilder(ServiceObjects.slice(TARGET, ROUTED)).editFirstEndpoint()
                .editConditions().withReady(false).endConditions().endEndpoint().build();
        assertTrue(ServiceObjects.sliceInStep(notReady, TARGET, FENCED), "a not-ready endpoint takes no traffic");
    }

    @Test
    void anEditedSliceIsOutOfStep() {
        EndpointSlice slice = ServiceObjects.slice(TARGET, ROUTED);
        assertFalse(ServiceObjects.sliceInStep(new EndpointSliceBuilder(slice).editFirstEndpoint()
                .withAddresses("10.0.0.9").endEndpoint().build(), TARGET, ROUTED));
        assertFalse(ServiceObjects.sliceInStep(new EndpointSliceBuilder(slice).editFirstPort().withPort(6379).endPort()
                .build(), TARGET, ROUTED));
        assertFalse(ServiceObjects.sliceInStep(new EndpointSliceBuilder(slice).addNewEndpoint().withAddresses("10.0.0.9")
                .endEndpoint().build(), TARGET, ROUTED), "a second endpoint");
        assertFalse(ServiceObjects.sliceInStep(new EndpointSliceBuilder(slice).editMetadata()
                .removeFromLabels("endpointslice.kubernetes.io/managed-by").endMetadata().build(), TARGET, ROUTED));
        assertFalse(ServiceObjects.sliceInStep(null, TARGET, ROUTED));
    }

    @Test
    void addressTypesFollowTheMastersAddress() {
        assertEquals("IPv4", ServiceObjects.addressType("127.0.0.1"));
        assertEquals("IPv6", ServiceObjects.addressType("fd00::2"));
        assertEquals("FQDN", ServiceObjects.addressType("redis-0.redis.svc"));
    }

    @Test
    void anUpdateKeepsWhatOthersAddedAndDropsASelector() {
        Service edited = new ServiceBuilder(ServiceObjects.service(TARGET, "mymaster")).editMetadata()
                .addToLabels("team", "cache").endMetadata().editSpec().addToSelector("app", "redis")
                .editFirstPort().withPort(1).endPort().endSpec().build();
        assertFalse(ServiceObjects.serviceInStep(edited, TARGET));
        Service updated = ServiceObjects.serviceUpdate(edited, ServiceObjects.service(TARGET, "mymaster"));
        assertTrue(ServiceObjects.serviceInStep(updated, TARGET));
        assertEquals("cache", updated.getMetadata().getLabels().get("team"));
    }
}
