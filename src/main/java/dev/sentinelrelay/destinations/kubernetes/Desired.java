package dev.sentinelrelay.destinations.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/** What the API server must hold for a master's routing (the write's body, routes/47-kubernetes.yaml). */
public record Desired(KubernetesTarget target, Service service, EndpointSlice slice) {
}
