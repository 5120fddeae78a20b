package dev.sentinelrelay;

import dev.sentinelrelay.resolve.Trigger;
import org.apache.camel.ProducerTemplate;

/**
 * Lets code outside the routes ask for work on the routes where no route can start it: a reconcile of every master
 * (a sentinel's listener container resubscribed), through the same route the timer uses, or one trigger for a
 * master's resolver (the promotion watch saw a replica promoted), through the route that queues triggers. Both places
 * are named in a comment at the route they enter (routes/50-reconcile.yaml, routes/30-resolve.yaml).
 */
public final class ReconcileRequests {

    private final ProducerTemplate producer;

    public ReconcileRequests(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void resolve(Trigger trigger) {
        producer.sendBody("direct:queue-trigger", trigger);
    }

    public void requestAll(String reason) {
        producer.asyncSendBody("direct:reconcile", reason);
    }
}
