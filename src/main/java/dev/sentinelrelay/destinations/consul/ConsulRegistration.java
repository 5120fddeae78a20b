package dev.sentinelrelay.destinations.consul;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.configuration.HostPort;
import org.kiwiproject.consul.model.catalog.CatalogDeregistration;
import org.kiwiproject.consul.model.catalog.CatalogRegistration;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogDeregistration;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogRegistration;
import org.kiwiproject.consul.model.health.ImmutableService;

import java.util.HashSet;
import java.util.List;

/**
 * What the Consul catalog must hold for one master, as the client's model objects (camel-consul accepts no
 * other body). A routed master is the service {@code target.service()} with the same ID on the external node
 * {@code target.node()}, whose address is the master's: the stable ID makes a re-registration replace the old
 * address instead of adding a second instance. A fenced master is not in the catalog at all: its writes are
 * doomed, so clients that look it up get no answer and retry, as HAProxy refuses them.
 */
public final class ConsulRegistration {

    private ConsulRegistration() {
    }

    public static CatalogRegistration register(ConsulTarget target, HostPort master, String datacenter) {
        ImmutableCatalogRegistration.Builder builder = ImmutableCatalogRegistration.builder()
                .node(target.node())
                .address(master.host())
                .service(ImmutableService.builder()
                        .id(target.service())
                        .service(target.service())
                        .address(master.host())
                        .port(master.port())
                        .tags(target.tags())
                        .build());
        if (datacenter != null) {
            builder.datacenter(datacenter);
        }
        return builder.build();
    }

    public static CatalogDeregistration deregister(ConsulTarget target, String datacenter) {
        ImmutableCatalogDeregistration.Builder builder = ImmutableCatalogDeregistration.builder()
                .node(target.node())
                .serviceId(target.service());
        if (datacenter != null) {
            builder.datacenter(datacenter);
        }
        return builder.build();
    }

    /** The KV value for a routed master. */
    public static String kvValue(HostPort master) {
        return master.toString();
    }

    /**
     * True when the catalog's answer for the service is what the routing needs: exactly our instance with the
     * master's address, port and tags (routed), or no instance of ours (fenced). Instances on other nodes are not
     * the relay's and are left alone.
     */
    public static boolean inStep(List<CatalogService> catalog, ConsulTarget target, Routing routing) {
        List<CatalogService> ours = catalog.stream()
                .filter(s -> target.node().equals(s.getNode()) && target.service().equals(s.getServiceId()))
                .toList();
        if (routing.fenced()) {
            return ours.isEmpty();
        }
        if (ours.size() != 1) {
            return false;
        }
        CatalogService s = ours.get(0);
        // Consul answers the node's address when the service has none of its own
        String address = s.getServiceAddress() == null || s.getServiceAddress().isEmpty() ? s.getAddress() : s.getServiceAddress();
        return routing.master().host().equals(address) && routing.master().port() == s.getServicePort()
                && target.service().equals(s.getServiceName())
                && new HashSet<>(target.tags()).equals(new HashSet<>(s.getServiceTags()));
    }

    /** What the catalog holds of ours, for the drift log line. */
    public static String describe(List<CatalogService> catalog, ConsulTarget target) {
        List<String> ours = catalog.stream()
                .filter(s -> target.node().equals(s.getNode()) && target.service().equals(s.getServiceId()))
                .map(s -> s.getServiceAddress() + ":" + s.getServicePort() + " tags " + s.getServiceTags())
                .toList();
        return ours.isEmpty() ? "nothing" : String.join(", ", ours);
    }
}
