package dev.sentinelrelay;

import dev.sentinelrelay.sentinel.Trigger;
import org.apache.camel.ProducerTemplate;

/**
 * Lets code outside the routes ask for work on the routes: a reconcile of every master (a sentinel resubscribed),
 * through the same route the timer uses, or one trigger on a master's resolver route (a fence ran out, a replica
 * was seen promoted).
 */
public final class ReconcileRequests {

    private volatile ProducerTemplate producer;

    void connect(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void resolve(Trigger trigger) {
        ProducerTemplate p = producer;
        if (p != null) {
            p.sendBody("seda:resolve-" + trigger.master(), trigger);
        }
    }

    public void requestAll(String reason) {
        ProducerTemplate p = producer;
        if (p != null) {
            p.asyncSendBody("direct:reconcile", reason);
        }
    }
}
