package dev.sentinelrelay.destinations.consul;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.Test;
import org.kiwiproject.consul.model.catalog.CatalogDeregistration;
import org.kiwiproject.consul.model.catalog.CatalogRegistration;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogService;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsulRegistrationTest {

    private static final ConsulTarget TARGET = new ConsulTarget("redis-mymaster", List.of("master"), "redis-mymaster", null);
    private static final HostPort MASTER = new HostPort("10.0.0.7", 6380);
    private static final Routing ROUTED = Routing.route(Trigger.reconcile("mymaster"), MASTER);
    private static final Routing FENCED = Routing.fence(Trigger.reconcile("mymaster"), MASTER, "odown");

    @Test
    void registersTheServiceWithAStableIdOnTheExternalNode() {
        CatalogRegistration r = ConsulRegistration.register(TARGET, MASTER, "dc1");
        assertEquals("redis-mymaster", r.node());
        assertEquals("10.0.0.7", r.address());
        assertEquals(Optional.of("dc1"), r.datacenter());
        var service = r.service().orElseThrow();
        assertEquals("redis-mymaster", service.getId());
        assertEquals("redis-mymaster", service.getService());
        assertEquals("10.0.0.7", service.getAddress());
        assertEquals(6380, service.getPort());
        assertEquals(List.of("master"), service.getTags());
    }

    @Test
    void aFencedMasterIsDeregisteredByServiceId() {
        CatalogDeregistration d = ConsulRegistration.deregister(TARGET, null);
        assertEquals("redis-mymaster", d.node());
        assertEquals(Optional.of("redis-mymaster"), d.serviceId());
        assertEquals(Optional.empty(), d.datacenter());
    }

    @Test
    void inStepWhenExactlyOurInstanceHoldsTheMaster() {
        assertTrue(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.7", 6380, "master")), TARGET, ROUTED));
        // another node's instance of the same service is not the relay's
        assertTrue(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.7", 6380, "master"),
                entry("other-node", "10.0.0.9", 6379, "master")), TARGET, ROUTED));
    }

    @Test
    void driftedWhenMissingOrDifferent() {
        assertFalse(ConsulRegistration.inStep(List.of(), TARGET, ROUTED), "Consul lost it");
        assertFalse(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.7", 6379, "master")), TARGET, ROUTED), "port");
        assertFalse(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.8", 6380, "master")), TARGET, ROUTED), "address");
        assertFalse(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.7", 6380, "replica")), TARGET, ROUTED), "tags");
    }

    @Test
    void aFencedMasterIsInStepOnlyWhenAbsent() {
        assertTrue(ConsulRegistration.inStep(List.of(), TARGET, FENCED));
        assertFalse(ConsulRegistration.inStep(List.of(entry("redis-mymaster", "10.0.0.7", 6380, "master")), TARGET, FENCED));
    }

    @Test
    void theNodeAddressCountsWhenTheServiceHasNone() {
        CatalogService noServiceAddress = ImmutableCatalogService.builder().from(entry("redis-mymaster", "", 6380, "master"))
                .address("10.0.0.7").build();
        assertTrue(ConsulRegistration.inStep(List.of(noServiceAddress), TARGET, ROUTED));
    }

    private static CatalogService entry(String node, String address, int port, String tag) {
        return ImmutableCatalogService.builder().node(node).address(address.isEmpty() ? "10.9.9.9" : address)
                .serviceId("redis-mymaster").serviceName("redis-mymaster").serviceAddress(address).servicePort(port)
                .serviceTags(List.of(tag)).build();
    }
}
