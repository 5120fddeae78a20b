package dev.sentinelrelay.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * One {@code coordination.k8s.io/v1} Lease as {@link LeaseCoordination} uses it, on fabric8's client: read, created
 * when missing, and replaced only on the version read (a conditional update: the API server answers 409 Conflict when
 * anyone changed the Lease since). The verbs: get, create, update.
 */
final class LeaseStore {

    /** A Lease's holder and version as read or written. */
    record Held(String holder, String version, int durationSeconds, int transitions) {
        boolean free() {
            return holder == null || holder.isEmpty();
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    /** the Lease as last read or written, for the next update (guarded by the caller) */
    private Lease last;

    LeaseStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    String where() {
        return namespace + "/" + name;
    }

    /** The Lease now; null when there is none. Throws {@link KubernetesClientException} when it cannot be read. */
    Held read() {
        last = client.leases().inNamespace(namespace).withName(name).get();
        return held(last);
    }

    /** A new Lease held by {@code holder}; 409 when it exists already. */
    Held create(String holder, int durationSeconds) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        Lease lease = new LeaseBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .withLabels(Map.of("app.kubernetes.io/managed-by", "sentinel-relay")).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(durationSeconds)
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec().build();
        last = client.leases().inNamespace(namespace).resource(lease).create();
        return held(last);
    }

    /**
     * The Lease last read, now held by {@code holder} and renewed now; {@code newTerm}: acquired (acquire time now,
     * one more transition). Conditional on the version last read: 409 when anyone changed it since.
     */
    Held write(String holder, int durationSeconds, boolean newTerm) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        LeaseBuilder next = new LeaseBuilder(last).editSpec().withHolderIdentity(holder)
                .withLeaseDurationSeconds(durationSeconds).withRenewTime(now).endSpec();
        if (newTerm) {
            Integer transitions = last.getSpec().getLeaseTransitions();
            next.editSpec().withAcquireTime(now).withLeaseTransitions(transitions == null ? 1 : transitions + 1).endSpec();
        }
        last = client.leases().inNamespace(namespace).resource(next.build()).update();
        return held(last);
    }

    private static Held held(Lease lease) {
        if (lease == null) {
            return null;
        }
        var spec = lease.getSpec();
        return new Held(spec == null ? null : spec.getHolderIdentity(), lease.getMetadata().getResourceVersion(),
                spec == null || spec.getLeaseDurationSeconds() == null ? 0 : spec.getLeaseDurationSeconds(),
                spec == null || spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions());
    }
}
