package dev.sentinelrelay;

import org.apache.camel.ProducerTemplate;

/**
 * Lets code outside the routes (a sentinel that resubscribed) ask for a reconcile of every master,
 * through the same route the timer uses.
 */
public final class ReconcileRequests {

    private volatile ProducerTemplate producer;

    void connect(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void requestAll(String reason) {
        ProducerTemplate p = producer;
        if (p != null) {
            p.asyncSendBody("direct:reconcile", reason);
        }
    }
}
