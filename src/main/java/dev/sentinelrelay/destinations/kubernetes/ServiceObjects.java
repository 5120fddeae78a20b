package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Routing;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the API server must hold for a master, as the client's model objects, and whether what it holds is that. A
 * master has a selector-less Service (so no controller writes its endpoints) and one EndpointSlice of the same name
 * that the relay writes: the verified master's address and port, ready; while the master is fenced, no endpoint at
 * all, so clients get no connection and retry instead of writing into a doomed master. An object of that name
 * without the relay's managed-by label is someone else's and is never changed.
 */
public final class ServiceObjects {

    public static final String RELAY = "sentinel-relay";
    /** The recommended label of the tool that manages an object. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The label the EndpointSlice controller reads: slices with another value are not its own, and it leaves them. */
    public static final String SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    /** The label that ties a slice to its Service. */
    public static final String SERVICE_NAME = "kubernetes.io/service-name";
    /** The master a Service follows (an annotation: master names may be longer than a label value). */
    public static final String MASTER = "sentinel-relay/master";
    static final String PORT_NAME = "redis";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ServiceObjects() {
    }

    /** The master's Service: no selector, one TCP port named redis. */
    public static Service service(KubernetesTarget target, String master) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(target.service())
                .addToLabels(MANAGED_BY, RELAY).addToAnnotations(MASTER, master).endMetadata()
                .withNewSpec().withType("ClusterIP")
                .addNewPort().withName(PORT_NAME).withProtocol("TCP").withPort(target.port()).endPort()
                .endSpec().build();
    }

    /** The master's slice for a routing: the master, ready; or, fenced, no endpoint. */
    public static EndpointSlice slice(KubernetesTarget target, Routing routing) {
        HostPort master = routing.master();
        List<Endpoint> endpoints = routing.fenced() ? List.of() : List.of(new EndpointBuilder()
                .withAddresses(master.host())
                .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                .build());
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(target.service())
                .addToLabels(SERVICE_NAME, target.service()).addToLabels(SLICE_MANAGED_BY, RELAY)
                .addToLabels(MANAGED_BY, RELAY).addToAnnotations(MASTER, routing.name()).endMetadata()
                .withAddressType(addressType(master.host()))
                .addNewPort().withName(PORT_NAME).withProtocol("TCP").withPort(master.port()).endPort()
                .withEndpoints(endpoints)
                .build();
    }

    /** IPv4, IPv6, or FQDN for a hostname (which kube-proxy does not route: Sentinel must announce IPs). */
    static String addressType(String host) {
        return IPV4.matcher(host).matches() ? "IPv4" : host.contains(":") ? "IPv6" : "FQDN";
    }

    public static boolean serviceManaged(Service service) {
        return RELAY.equals(label(service, MANAGED_BY));
    }

    public static boolean sliceManaged(EndpointSlice slice) {
        return RELAY.equals(label(slice, SLICE_MANAGED_BY));
    }

    /** The Service routes to its slice: ours, no selector, the one redis port. */
    public static boolean serviceInStep(Service service, KubernetesTarget target) {
        if (service == null || !serviceManaged(service) || service.getSpec() == null) {
            return false;
        }
        Map<String, String> selector = service.getSpec().getSelector();
        List<ServicePort> ports = service.getSpec().getPorts();
        return (selector == null || selector.isEmpty()) && ports != null && ports.size() == 1
                && PORT_NAME.equals(ports.get(0).getName()) && Objects.equals(target.port(), ports.get(0).getPort())
                && !"UDP".equals(ports.get(0).getProtocol());
    }

    /**
     * The slice holds what the routing needs: routed, exactly the master (address and port) as its one ready
     * endpoint; fenced, no ready endpoint.
     */
    public static boolean sliceInStep(EndpointSlice slice, KubernetesTarget target, Routing routing) {
        if (slice == null || !sliceManaged(slice) || !target.service().equals(label(slice, SERVICE_NAME))) {
            return false;
        }
        List<Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
        if (routing.fenced()) {
            return endpoints.stream().noneMatch(ServiceObjects::ready);
        }
        HostPort master = routing.master();
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        return addressType(master.host()).equals(slice.getAddressType())
                && ports.size() == 1 && PORT_NAME.equals(ports.get(0).getName())
                && Objects.equals(master.port(), ports.get(0).getPort())
                && endpoints.size() == 1 && ready(endpoints.get(0))
                && List.of(master.host()).equals(endpoints.get(0).getAddresses());
    }

    /** The Service as it is, made ours and in step: its other labels, annotations and fields kept. */
    public static Service serviceUpdate(Service current, Service desired) {
        return new ServiceBuilder(current)
                .editMetadata().addToLabels(desired.getMetadata().getLabels())
                .addToAnnotations(desired.getMetadata().getAnnotations()).endMetadata()
                .editSpec().withSelector(null).withPorts(desired.getSpec().getPorts()).endSpec()
                .build();
    }

    /** The slice as it is, with the desired endpoints and ports: its other labels and annotations kept. */
    public static EndpointSlice sliceUpdate(EndpointSlice current, EndpointSlice desired) {
        return new EndpointSliceBuilder(current)
                .editMetadata().addToLabels(desired.getMetadata().getLabels())
                .addToAnnotations(desired.getMetadata().getAnnotations()).endMetadata()
                .withPorts(desired.getPorts()).withEndpoints(desired.getEndpoints())
                .build();
    }

    /** What a slice holds, for the drift log line: its ready endpoints. */
    public static String describe(EndpointSlice slice) {
        if (slice == null) {
            return "no slice";
        }
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        String port = ports.isEmpty() ? "?" : String.valueOf(ports.get(0).getPort());
        List<String> ready = (slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()).stream()
                .filter(ServiceObjects::ready).flatMap(e -> e.getAddresses().stream()).map(a -> a + ":" + port).toList();
        return ready.isEmpty() ? "no ready endpoint" : "ready " + String.join(", ", ready);
    }

    /** As Kubernetes reads it: a condition not set means ready. */
    private static boolean ready(Endpoint endpoint) {
        return endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
    }

    private static String label(HasMetadata object, String key) {
        Map<String, String> labels = object.getMetadata() == null ? null : object.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }
}
