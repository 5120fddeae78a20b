package dev.sentinelrelay.destinations.kubernetes;

/**
 * A write the relay must not or cannot make, whatever it retries: the API server forbids it (RBAC), or the object
 * is not the relay's. Not retried (routes/47-kubernetes.yaml): the next reconcile tries again.
 */
public final class KubernetesRefusal extends RuntimeException {

    private KubernetesRefusal(String message) {
        super(message);
    }

    /** The API server answered 403 to {@code verb} on {@code resource} in {@code namespace}. */
    static KubernetesRefusal forbidden(String verb, String resource, String namespace) {
        return new KubernetesRefusal("forbidden (HTTP 403): the relay may not " + verb + " " + resource
                + " in namespace " + namespace + "; grant the verb in the relay's Role (docs/kubernetes.md)");
    }

    /** An object of the master's name exists and lacks the managed-by label: left alone. */
    static KubernetesRefusal notOurs(String kind, String namespace, String name, String label) {
        return new KubernetesRefusal(kind + " " + namespace + "/" + name + " exists and is not managed by"
                + " sentinel-relay (no label " + label + "=" + ServiceObjects.RELAY
                + "): left alone; delete it, or give the master another relay.kubernetes.<master>.service");
    }
}
