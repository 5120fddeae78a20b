package dev.sentinelrelay.destinations.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.function.Supplier;

/**
 * The Kubernetes destination's calls (routes/47-kubernetes.yaml), with fabric8's client: camel-kubernetes 4.17 has
 * no EndpointSlice producer. Each write reads the object first and changes it only when it is the relay's (a
 * concurrent edit between the read and the write fails the update on its resourceVersion, and is retried). A 403
 * becomes a {@link KubernetesRefusal} naming the verb, the resource and the namespace.
 */
public final class KubernetesApi {

    static final String SERVICES = "services";
    static final String SLICES = "endpointslices.discovery.k8s.io";
    private static final int FORBIDDEN = 403;

    private final KubernetesClient client;

    public KubernetesApi(KubernetesClient client) {
        this.client = client;
    }

    /** The master's Service and slice as the API server holds them. */
    public Observed read(KubernetesTarget target) {
        return new Observed(service(target), slice(target));
    }

    /** Creates the master's Service when missing, or puts it back in step; never one that is not the relay's. */
    public void ensureService(Desired desired) {
        KubernetesTarget target = desired.target();
        Service current = service(target);
        if (current == null) {
            call("create", SERVICES, target, () -> client.resource(desired.service()).create());
        } else if (!ServiceObjects.serviceManaged(current)) {
            throw KubernetesRefusal.notOurs("Service", target.namespace(), target.service(), ServiceObjects.MANAGED_BY);
        } else if (!ServiceObjects.serviceInStep(current, target)) {
            call("update", SERVICES, target, () -> client.resource(ServiceObjects.serviceUpdate(current, desired.service())).update());
        }
    }

    /** Creates the master's slice when missing, or writes the routing into it; never into one that is not the relay's. */
    public void ensureSlice(Desired desired) {
        KubernetesTarget target = desired.target();
        EndpointSlice current = slice(target);
        if (current != null && !ServiceObjects.sliceManaged(current)) {
            throw KubernetesRefusal.notOurs("EndpointSlice", target.namespace(), target.service(), ServiceObjects.SLICE_MANAGED_BY);
        }
        if (current != null && !desired.slice().getAddressType().equals(current.getAddressType())) {
            // a slice's address type cannot change (the master moved between IPv4 and IPv6): a new slice replaces it
            call("delete", SLICES, target, () -> client.resource(current).delete());
            call("create", SLICES, target, () -> client.resource(desired.slice()).create());
        } else if (current == null) {
            call("create", SLICES, target, () -> client.resource(desired.slice()).create());
        } else {
            call("update", SLICES, target, () -> client.resource(ServiceObjects.sliceUpdate(current, desired.slice())).update());
        }
    }

    private Service service(KubernetesTarget target) {
        return call("get", SERVICES, target,
                () -> client.services().inNamespace(target.namespace()).withName(target.service()).get());
    }

    private EndpointSlice slice(KubernetesTarget target) {
        return call("get", SLICES, target, () -> client.discovery().v1().endpointSlices()
                .inNamespace(target.namespace()).withName(target.service()).get());
    }

    private static <T> T call(String verb, String resource, KubernetesTarget target, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == FORBIDDEN) {
                throw KubernetesRefusal.forbidden(verb, resource, target.namespace());
            }
            throw e;
        }
    }
}
