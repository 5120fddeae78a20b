package dev.sentinelrelay.destinations;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;

import java.util.List;

/**
 * One kind of destination on the pipeline of routes/35-destination.yaml: the beans and routes it brings.
 *
 * @param kind    its name: the entry is direct:{@code kind}, its tasks run in direct:{@code kind}-apply
 * @param planner its {@link Destination} bean
 * @param latest  its {@link NewestWins} bean
 * @param ledger  its {@link DestinationLedger} bean
 * @param read    the send route that reads back
 * @param write   the send route that writes
 * @param retries the route configuration with its retry policy
 */
public record Pipeline(String kind, String planner, String latest, String ledger, String read, String write,
                       String retries) {

    /** Adds the entry, the apply route, and a queue (route id: its name) with {@code threads} threads per queue. */
    public void addTo(CamelContext context, List<String> queues, int threads) {
        if (queues.contains(kind)) {
            // both would be route ids: the queue's route would replace the entry's
            throw new IllegalArgumentException("queue '" + kind + "' is named like its destination's entry route");
        }
        TemplatedRouteBuilder.builder(context, "destination")
                .routeId(kind)
                .parameter("kind", kind)
                .parameter("planner", planner)
                .parameter("latest", latest)
                .add();
        TemplatedRouteBuilder.builder(context, "destination-apply")
                .routeId(kind + "-apply")
                .parameter("kind", kind)
                .parameter("planner", planner)
                .parameter("ledger", ledger)
                .parameter("read", read)
                .parameter("write", write)
                .parameter("retries", retries)
                .add();
        for (String queue : queues) {
            TemplatedRouteBuilder.builder(context, "destination-queue")
                    .routeId(queue)
                    .parameter("queue", queue)
                    .parameter("kind", kind)
                    .parameter("threads", String.valueOf(threads))
                    .parameter("planner", planner)
                    .parameter("latest", latest)
                    .parameter("ledger", ledger)
                    .add();
        }
    }
}
