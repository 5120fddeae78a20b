package dev.sentinelrelay.destinations.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/** What the API server holds for a master: its Service and EndpointSlice, each null when there is none. */
public record Observed(Service service, EndpointSlice slice) {
}
