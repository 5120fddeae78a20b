package dev.sentinelrelay.destinations.kubernetes;

/**
 * Where one master's clients are sent in Kubernetes: the selector-less Service {@code service} in {@code namespace},
 * listening on {@code port}, and its EndpointSlice of the same name, which the relay keeps on the verified master.
 */
public record KubernetesTarget(String namespace, String service, int port) {

    @Override
    public String toString() {
        return namespace + "/" + service;
    }
}
